// FakeModuleCompiler: a ModuleCompiler for tests without V8. Bytes that
// start with the Wasm magic number "compile" to "code:" + bytes; anything
// else is refused like V8 refuses it. Counts its compiles.
#ifndef WASMHPC_SERVER_FAKE_MODULE_COMPILER_H_
#define WASMHPC_SERVER_FAKE_MODULE_COMPILER_H_

#include <atomic>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/module_compiler.h"

namespace wasmhpc::server {

class FakeModuleCompiler final : public ModuleCompiler {
 public:
  const std::string& fingerprint() const override { return fingerprint_; }

  absl::StatusOr<std::string> Compile(absl::string_view bytes) override {
    ++compiles_;
    if (!absl::StartsWith(bytes, absl::string_view("\0asm", 4))) {
      return absl::InvalidArgumentError(
          "invalid module: expected magic word 00 61 73 6d @+0");
    }
    return absl::StrCat("code:", bytes);
  }

  int compiles() const { return compiles_; }

 private:
  const std::string fingerprint_ = "fake-engine";
  std::atomic<int> compiles_{0};
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_FAKE_MODULE_COMPILER_H_
