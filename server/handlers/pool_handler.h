// PoolHandler: the head's side of the worker pools' API (Attach stream,
// FetchModule, List), free of any transport; the gRPC PoolService calls it.
//
// An Attach stream maps onto: Attach(first message, sink) once, then
// OnMessage for every later message, then Detach when the stream ends for
// any reason (the pool's jobs then fail with "worker pool lost").
//
// Thread safety: all methods may be called from any thread; the messages of
// one pool are passed in stream order from one thread.
#ifndef WASMHPC_SERVER_HANDLERS_POOL_HANDLER_H_
#define WASMHPC_SERVER_HANDLERS_POOL_HANDLER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "cache-store/cache_store.h"
#include "cache-store/code_key.h"
#include "server/handlers/pool_registry.h"
#include "server/handlers/proto_time.h"
#include "server/handlers/scheduler.h"
#include "wasmhpc/v1/pools.pb.h"

namespace wasmhpc::server {

struct PoolHandlerOptions {
  // REQUIRED; not owned.
  Scheduler* scheduler = nullptr;
  // Modules and compiled code. REQUIRED; not owned.
  CacheStore* store = nullptr;
  // Signs the code pools fetch, checks the code they upload. REQUIRED; not
  // owned.
  const CodeKey* code_key = nullptr;
  // Ignored pool messages are reported here. Default: stderr.
  LogFn log;
};

// A module as a pool fetches it.
struct FetchedModule {
  SharedBytes bytes;
  // Compiled code for the pool's fingerprint, when the head has it, and its
  // signature (CodeKey::Sign).
  std::optional<SharedBytes> code;
  std::string code_signature;
};

class PoolHandler {
 public:
  explicit PoolHandler(PoolHandlerOptions options);

  // `first` must be a Hello (else InvalidArgument). Registers the pool,
  // whose Welcome and assignments go to `sink` until Detach. Returns the
  // pool id.
  absl::StatusOr<std::string> Attach(const v1::PoolMessage& first,
                                     PoolSink* sink);

  // Applies a pool event. Messages about jobs that are not the pool's are
  // reported (log) and dropped: the stream goes on.
  void OnMessage(absl::string_view pool_id, const v1::PoolMessage& message);

  void Detach(absl::string_view pool_id);

  // NotFound "no module <digest>", InvalidArgument for a malformed digest.
  absl::StatusOr<FetchedModule> FetchModule(
      absl::string_view digest, absl::string_view fingerprint) const;

  // Stores code a pool compiled for its engine. InvalidArgument for a
  // malformed digest, an empty fingerprint or empty code; NotFound for a
  // module the head does not have; PermissionDenied when `signature` does
  // not verify with the code key; ResourceExhausted for code larger than
  // CodeLimit; AlreadyExists when code for (digest, fingerprint) is stored
  // (it is kept: stored code is never replaced).
  absl::Status PutCode(absl::string_view digest, absl::string_view fingerprint,
                       absl::string_view code, absl::string_view signature);

  // The most bytes of code PutCode takes for module `digest` (a multiple of
  // its size, api_limits.h). NotFound for an unknown module.
  absl::StatusOr<uint64_t> CodeLimit(absl::string_view digest) const;

  std::vector<v1::Pool> List() const;
  // Scheduler::DrainPool / ResumePool.
  absl::StatusOr<v1::Pool> Drain(const v1::DrainPoolRequest& request);
  absl::StatusOr<v1::Pool> Resume(const v1::ResumePoolRequest& request);
  // InvalidArgument without a name or a reason; long reasons are cut to
  // kMaxFailureReason bytes.
  absl::StatusOr<v1::Pool> ReportFailure(
      const v1::ReportPoolFailureRequest& request);
  static constexpr size_t kMaxFailureReason = 4096;

 private:
  PoolHandlerOptions options_;
  absl::Mutex put_mu_;  // PutCode's check-then-put.
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_POOL_HANDLER_H_
