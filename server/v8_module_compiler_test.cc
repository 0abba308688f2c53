// The head's V8 module compiler: a real module compiles to serialized
// TurboFan code, a bad one is refused with V8's validator message, and the
// ModuleHandler stores nothing for it.
#include "server/v8_module_compiler.h"

#include <fstream>
#include <iterator>

#include "cache-store/memory_store.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/module_handler.h"

namespace wasmhpc::server {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class V8ModuleCompilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<ModuleCompiler>> compiler =
        NewV8ModuleCompiler();
    ASSERT_TRUE(compiler.ok()) << compiler.status();
    compiler_ = *std::move(compiler);
    ModuleHandlerOptions options;
    options.store = store_.get();
    options.compiler = compiler_.get();
    handler_ = std::make_unique<ModuleHandler>(std::move(options));
  }

  // Uploads `bytes` in chunks of `chunk` bytes, as a client streams them.
  absl::StatusOr<v1::UploadModuleResponse> Upload(const std::string& bytes,
                                                  size_t chunk = 1 << 20) {
    auto upload = handler_->StartUpload();
    for (size_t at = 0; at < bytes.size(); at += chunk) {
      v1::UploadModuleRequest part;
      part.set_chunk(bytes.substr(at, chunk));
      if (absl::Status s = upload->Add(part); !s.ok()) return s;
    }
    return upload->Finish();
  }

  std::unique_ptr<CacheStore> store_ = NewMemoryStore();
  std::unique_ptr<ModuleCompiler> compiler_;
  std::unique_ptr<ModuleHandler> handler_;
};

TEST_F(V8ModuleCompilerTest, HelloCompilesToCachedCodeWithItsMpiImports) {
  absl::StatusOr<v1::UploadModuleResponse> done =
      Upload(ReadTestFile(WASMHPC_HELLO_WASM));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_THAT(done->module().mpi_imports(), Contains("MPI_Init"));
  EXPECT_THAT(compiler_->fingerprint(), HasSubstr("--no-liftoff"));
  absl::StatusOr<SharedBytes> code =
      store_->GetCode(done->module().digest(), compiler_->fingerprint());
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_GT(code->size(), 100u);
}

TEST_F(V8ModuleCompilerTest, CodeStreamedInSmallChunksLoadsFromCache) {
  std::string hello = ReadTestFile(WASMHPC_HELLO_WASM);
  absl::StatusOr<v1::UploadModuleResponse> done = Upload(hello, 97);
  ASSERT_TRUE(done.ok()) << done.status();
  absl::StatusOr<SharedBytes> code =
      store_->GetCode(done->module().digest(), compiler_->fingerprint());
  ASSERT_TRUE(code.ok()) << code.status();
  // The streamed compile's code is what a worker loads without compiling.
  absl::StatusOr<engine::Engine*> engine = engine::Engine::Get({});
  ASSERT_TRUE(engine.ok());
  std::unique_ptr<engine::Store> store = engine::Store::Create(**engine);
  absl::StatusOr<std::unique_ptr<engine::Module>> loaded =
      engine::Module::CompileWithCache(
          *store,
          {reinterpret_cast<const uint8_t*>(hello.data()), hello.size()},
          {reinterpret_cast<const uint8_t*>(code->data()), code->size()});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE((*loaded)->from_cache());
}

TEST_F(V8ModuleCompilerTest, AnAbandonedStreamingCompileLeavesNothing) {
  std::string hello = ReadTestFile(WASMHPC_HELLO_WASM);
  for (int i = 0; i < 3; ++i) {
    auto upload = handler_->StartUpload();
    v1::UploadModuleRequest part;
    part.set_chunk(hello.substr(0, hello.size() / 2));
    ASSERT_TRUE(upload->Add(part).ok());
  }  // The client went away: the compile is abandoned.
  EXPECT_TRUE(store_->ListModules()->empty());
  EXPECT_TRUE(Upload(hello, 4096).ok());
}

TEST_F(V8ModuleCompilerTest, AFaultInTheMiddleOfTheStreamIsRefused) {
  std::string hello = ReadTestFile(WASMHPC_HELLO_WASM);
  std::string broken = hello;
  broken[broken.size() / 2] ^= 0x5a;
  broken[broken.size() / 2 + 1] ^= 0xa5;
  absl::StatusOr<v1::UploadModuleResponse> done = Upload(broken, 512);
  // Flipping two bytes may still give a valid module; if not, V8 says why.
  if (!done.ok()) {
    EXPECT_EQ(done.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(done.status().message(), HasSubstr("invalid module:"));
    EXPECT_TRUE(store_->ListModules()->empty());
  }
  std::string cut = hello.substr(0, hello.size() - 10);
  EXPECT_THAT(Upload(cut, 512).status().message(),
              HasSubstr("invalid module:"));
}

TEST_F(V8ModuleCompilerTest, InvalidModulesAreRefusedWithV8sMessage) {
  std::string hello = ReadTestFile(WASMHPC_HELLO_WASM);
  absl::StatusOr<v1::UploadModuleResponse> cut = Upload(hello.substr(0, 300));
  EXPECT_EQ(cut.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cut.status().message(), HasSubstr("invalid module:"));
  absl::StatusOr<v1::UploadModuleResponse> text = Upload("hello, world");
  EXPECT_THAT(text.status().message(), HasSubstr("not a WebAssembly module"));
  EXPECT_TRUE(store_->ListModules()->empty());
  EXPECT_TRUE(store_->ListAllJobs()->empty());
}

}  // namespace
}  // namespace wasmhpc::server
