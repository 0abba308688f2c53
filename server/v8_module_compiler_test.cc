// The head's V8 module compiler: a real module compiles to serialized
// TurboFan code, a bad one is refused with V8's validator message, and the
// ModuleHandler stores nothing for it.
#include "server/v8_module_compiler.h"

#include <fstream>
#include <iterator>

#include "cache-store/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/module_handler.h"

namespace wasmhpc::server {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

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

  absl::StatusOr<v1::UploadModuleResponse> Upload(const std::string& bytes) {
    auto upload = handler_->StartUpload();
    v1::UploadModuleRequest part;
    part.set_chunk(bytes);
    if (absl::Status s = upload->Add(part); !s.ok()) return s;
    return upload->Finish();
  }

  std::unique_ptr<CacheStore> store_ = NewMemoryStore();
  std::unique_ptr<ModuleCompiler> compiler_;
  std::unique_ptr<ModuleHandler> handler_;
};

TEST_F(V8ModuleCompilerTest, HelloCompilesToCachedCodeWithItsMpiImports) {
  absl::StatusOr<v1::UploadModuleResponse> done =
      Upload(ReadFile(WASMHPC_HELLO_WASM));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_THAT(done->module().mpi_imports(), Contains("MPI_Init"));
  EXPECT_THAT(compiler_->fingerprint(), HasSubstr("--no-liftoff"));
  absl::StatusOr<SharedBytes> code =
      store_->GetCode(done->module().digest(), compiler_->fingerprint());
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_GT(code->size(), 100u);
}

TEST_F(V8ModuleCompilerTest, InvalidModulesAreRefusedWithV8sMessage) {
  std::string hello = ReadFile(WASMHPC_HELLO_WASM);
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
