// ModuleCompiler: validates a WebAssembly module and compiles it to the code
// that worker pools with the same engine fingerprint load without compiling.
//
// The head's ModuleHandler starts one Session per upload and feeds it the
// bytes as they arrive, so validation and compilation overlap the transfer.
// The production implementation (v8_module_compiler.h) uses the worker
// engine's streaming compiler; unit tests use a fake, so the handlers' tests
// need no V8.
//
// Thread safety: Start and Compile may be called from several threads at
// once; a Session is used by the thread that started it.
#ifndef WASMHPC_SERVER_HANDLERS_MODULE_COMPILER_H_
#define WASMHPC_SERVER_HANDLERS_MODULE_COMPILER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wasmhpc::server {

class ModuleCompiler {
 public:
  virtual ~ModuleCompiler() = default;

  // One module compiled while its bytes arrive. Destroying it before
  // Finish abandons the compile.
  class Session {
   public:
    virtual ~Session() = default;
    // The next bytes of the module.
    virtual void Feed(absl::string_view bytes) = 0;
    // Ends the bytes (`all_bytes`: everything fed, in order) and waits for
    // the compile. Returns the serialized code (empty when the engine cannot
    // serialize its code; the module is still valid), or InvalidArgument
    // with the validator's message for an invalid module. At most once.
    virtual absl::StatusOr<std::string> Finish(absl::string_view all_bytes) = 0;
  };

  // The engine fingerprint the code is valid for (Engine::Fingerprint()).
  virtual const std::string& fingerprint() const = 0;

  virtual std::unique_ptr<Session> Start() = 0;

  // Validates and compiles `bytes` at once; results as Session::Finish.
  absl::StatusOr<std::string> Compile(absl::string_view bytes) {
    std::unique_ptr<Session> session = Start();
    session->Feed(bytes);
    return session->Finish(bytes);
  }
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_MODULE_COMPILER_H_
