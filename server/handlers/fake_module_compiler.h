// FakeModuleCompiler: a ModuleCompiler for tests without V8. Bytes that
// start with the Wasm magic number "compile" to "code:" + bytes; anything
// else is refused like V8 refuses it. Counts the compiles that finished and
// checks that each session was fed exactly the bytes it finishes with.
#ifndef WASMHPC_SERVER_HANDLERS_FAKE_MODULE_COMPILER_H_
#define WASMHPC_SERVER_HANDLERS_FAKE_MODULE_COMPILER_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/handlers/module_compiler.h"

namespace wasmhpc::server {

class FakeModuleCompiler final : public ModuleCompiler {
 public:
  const std::string& fingerprint() const override { return fingerprint_; }

  std::unique_ptr<Session> Start() override {
    return std::make_unique<FakeSession>(this);
  }

  int compiles() const { return compiles_; }

 private:
  class FakeSession final : public Session {
   public:
    explicit FakeSession(FakeModuleCompiler* compiler) : compiler_(compiler) {}
    void Feed(absl::string_view bytes) override {
      fed_.append(bytes.data(), bytes.size());
    }
    absl::StatusOr<std::string> Finish(absl::string_view all_bytes) override {
      ++compiler_->compiles_;
      if (fed_ != all_bytes) {
        return absl::InternalError("fake compiler: fed bytes differ");
      }
      if (!absl::StartsWith(all_bytes, absl::string_view("\0asm", 4))) {
        return absl::InvalidArgumentError(
            "invalid module: expected magic word 00 61 73 6d @+0");
      }
      return absl::StrCat("code:", all_bytes);
    }

   private:
    FakeModuleCompiler* compiler_;
    std::string fed_;
  };

  const std::string fingerprint_ = "fake-engine";
  std::atomic<int> compiles_{0};
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_FAKE_MODULE_COMPILER_H_
