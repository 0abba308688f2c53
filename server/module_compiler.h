// ModuleCompiler: validates a WebAssembly module and compiles it to the code
// that worker pools with the same engine fingerprint load without compiling.
//
// The head's ModuleHandler calls it once per upload. The production
// implementation (v8_module_compiler.h) uses the worker engine; unit tests use
// a fake, so the handlers' tests need no V8.
//
// Thread safety: Compile may be called from several threads at once.
#ifndef WASMHPC_SERVER_MODULE_COMPILER_H_
#define WASMHPC_SERVER_MODULE_COMPILER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wasmhpc::server {

class ModuleCompiler {
 public:
  virtual ~ModuleCompiler() = default;

  // The engine fingerprint the code is valid for (Engine::Fingerprint()).
  virtual const std::string& fingerprint() const = 0;

  // Validates and compiles `bytes`. Returns the serialized code (empty when
  // the engine cannot serialize its code; the module is still valid), or
  // InvalidArgument with the validator's message for an invalid module.
  virtual absl::StatusOr<std::string> Compile(absl::string_view bytes) = 0;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_MODULE_COMPILER_H_
