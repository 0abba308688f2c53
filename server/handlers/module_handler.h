// ModuleHandler: the head's module operations (upload, get, list, delete),
// free of any transport; the gRPC ModuleService and the REST router call it.
//
// Upload: the bytes are hashed as they arrive (DigestBuilder), kept in
// memory, and fed to a ModuleCompiler session (V8's streaming compiler), so
// validation and compilation (TurboFan) run while the bytes arrive; Finish
// waits for the rest. An upload whose header names a digest the head
// already holds with code is not compiled again. An invalid module is
// refused with the validator's message and nothing is stored; so is one
// importing MPI functions wasmhpc does not provide (all of them named:
// mpi-bridge/provided_functions.h), which no pool could run. Otherwise the
// head stores, in this order, the compiled code under (digest, engine
// fingerprint), the bytes under the digest and the module's metadata
// record. An Upload destroyed before Finish() (the client went away
// mid-upload) abandons its compile and stores nothing.
//
// Metadata (name, labels, upload time, env.MPI_* imports) is a serialized
// wasmhpc.v1.Module, the store's module record. A module whose record is
// missing (a crash between the writes) is still served, with the metadata
// the bytes give.
//
// Thread safety: all methods may be called from any number of threads; an
// Upload is used by one thread at a time.
#ifndef WASMHPC_SERVER_HANDLERS_MODULE_HANDLER_H_
#define WASMHPC_SERVER_HANDLERS_MODULE_HANDLER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache-store/cache_store.h"
#include "cache-store/module_digest.h"
#include "common/clock.h"
#include "server/handlers/caller.h"
#include "server/handlers/module_compiler.h"
#include "server/handlers/proto_time.h"
#include "wasmhpc/v1/modules.pb.h"

namespace wasmhpc::server {

struct ModuleHandlerOptions {
  // Where modules, code and metadata live. REQUIRED; not owned.
  CacheStore* store = nullptr;
  // Validates and compiles uploads. REQUIRED; not owned.
  ModuleCompiler* compiler = nullptr;
  // Upload times. Default: the system clock.
  Clock* clock = RealClock();
  // Largest module accepted. Default: 256 MiB.
  uint64_t max_module_bytes = uint64_t{256} << 20;
  // Diagnostics (a code blob that could not be stored). Default: stderr.
  LogFn log;
  // Modules one owner may have stored (admins: no limit); 0: no limit.
  // Default: 1000.
  int64_t max_modules_per_owner = 1000;
};

// The name module `digest` was uploaded with; empty when it had none or
// its record is missing.
std::string ModuleName(const CacheStore& store, absl::string_view digest);

// OK when wasmhpc provides every MPI function the stored module `digest`
// imports; else InvalidArgument naming all it lacks. Submit checks it: a
// module stored before its functions were checked never reaches a rank.
absl::Status CheckModuleRunnable(const CacheStore& store,
                                 absl::string_view digest);

class ModuleHandler {
 public:
  // REQUIRES: options.store and options.compiler set; both outlive this.
  explicit ModuleHandler(ModuleHandlerOptions options);

  // One upload in progress: parts in order, then Finish().
  class Upload {
   public:
    // Takes one part of the upload stream: a header (at most one, before
    // any bytes) or a chunk of bytes. Errors: InvalidArgument for a late or
    // second header, ResourceExhausted past max_module_bytes or past the
    // size the header announced. After an error the upload is spent.
    absl::Status Add(const v1::UploadModuleRequest& part);

    // Ends the upload: checks size and expected digest, validates and
    // compiles, stores. Errors: InvalidArgument (empty upload, size or
    // digest mismatch, "invalid module: <validator message>"), or the
    // store's error. Called at most once.
    absl::StatusOr<v1::UploadModuleResponse> Finish();

   private:
    friend class ModuleHandler;
    Upload(ModuleHandler* handler, Caller caller)
        : handler_(handler), caller_(std::move(caller)) {}
    // Starts the compile unless the header names a module already compiled.
    void StartCompile();
    ModuleHandler* handler_;
    const Caller caller_;  // The module's owner if it is new.
    std::unique_ptr<ModuleCompiler::Session> compile_;  // Null: not started.
    bool compile_checked_ = false;
    v1::UploadModuleRequest::Header header_;
    bool has_header_ = false;
    bool failed_ = false;
    std::string bytes_;
    DigestBuilder digest_;
  };

  // An upload by `caller`: a new module is its (Module.owner), and
  // ResourceExhausted at Finish when it already owns max_modules_per_owner.
  std::unique_ptr<Upload> StartUpload(const Caller& caller = Caller::Local()) {
    return std::unique_ptr<Upload>(new Upload(this, caller));
  }

  // NotFound "no module <digest>"; InvalidArgument for a malformed digest.
  absl::StatusOr<v1::Module> Get(absl::string_view digest) const;

  // In digest order; page_size 0 means 100, at most 1000. page_token is the
  // last digest of the previous page.
  absl::StatusOr<v1::ListModulesResponse> List(
      const v1::ListModulesRequest& request) const;

  // Removes the module, its compiled code and its record. NotFound if
  // absent; PermissionDenied unless `caller` owns it or is an admin.
  absl::Status Delete(absl::string_view digest,
                      const Caller& caller = Caller::Local());

  // Stored modules and their total size in bytes (for monitoring); the
  // store's error.
  struct Stats {
    uint64_t modules = 0;
    uint64_t bytes = 0;
  };
  absl::StatusOr<Stats> GetStats() const;

  // True if a module is stored under `digest` (for job submission).
  absl::StatusOr<bool> Has(absl::string_view digest) const;

 private:
  // `compile`: the upload's session, fed with `bytes`; null to compile here.
  absl::StatusOr<v1::UploadModuleResponse> Store(
      const v1::UploadModuleRequest::Header& header, const std::string& digest,
      const std::string& bytes, ModuleCompiler::Session* compile,
      const Caller& caller);
  // OK unless `caller` already owns max_modules_per_owner modules.
  absl::Status CheckModuleQuota(const Caller& caller) const;
  // The stored record, or one made from the bytes when it is missing.
  absl::StatusOr<v1::Module> Load(const std::string& digest,
                                  uint64_t known_size) const;
  v1::Module Describe(const v1::UploadModuleRequest::Header& header,
                      const std::string& digest, const std::string& bytes,
                      const std::string& owner) const;

  ModuleHandlerOptions options_;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_MODULE_HANDLER_H_
