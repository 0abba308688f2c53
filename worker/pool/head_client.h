// HeadClient: a pool controller's gRPC connection to wasmhpc-head: the
// PoolService.Attach stream and FetchModule. The only gRPC code of the
// worker; gRPC statuses become absl ones here (FromGrpcStatus), and nothing
// gRPC leaves this pair of files.
//
// Execution model: Attach starts a reader thread that hands every
// HeadMessage to `on_message` and calls `on_end` once when the stream ends
// (the head went away, or Detach). Send may be called from any thread;
// sends are serialized. Fetch blocks its caller (the controller runs it on
// a fetch thread).
#ifndef WASMHPC_WORKER_POOL_HEAD_CLIENT_H_
#define WASMHPC_WORKER_POOL_HEAD_CLIENT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "wasmhpc/v1/pools.pb.h"
#include "worker/pool/pool_controller.h"

namespace wasmhpc::pool {

class HeadClient {
 public:
  // `target`: the head's "HOST:PORT". Connects lazily.
  explicit HeadClient(const std::string& target);
  ~HeadClient();  // Detaches.

  // Opens the Attach stream and sends `hello` on it. Errors: Unavailable
  // (with gRPC's message) if the head cannot be reached; FailedPrecondition
  // if a stream is open already.
  absl::Status Attach(const v1::PoolMessage& hello,
                      std::function<void(const v1::HeadMessage&)> on_message,
                      std::function<void(const absl::Status&)> on_end);

  // Sends on the open stream. False if none is open or it broke.
  bool Send(const v1::PoolMessage& message);

  // Ends the stream, if open, and waits for its reader thread.
  void Detach();

  // The module's bytes and, if the head has it for `fingerprint`, its
  // compiled code. Errors: the head's (NotFound for an unknown digest),
  // DeadlineExceeded after `timeout`.
  absl::StatusOr<ModuleBlob> Fetch(const std::string& digest,
                                   const std::string& fingerprint,
                                   absl::Duration timeout);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_HEAD_CLIENT_H_
