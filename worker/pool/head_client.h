// HeadClient: a pool controller's gRPC connection to wasmhpc-head: the
// PoolService.Attach stream, FetchModule and UploadCode. The only gRPC code
// of the worker; gRPC statuses become absl ones here (ToAbslStatus), and
// nothing gRPC leaves this pair of files.
//
// Every call carries `authorization: Bearer TOKEN` when a token is given.
// The channel reconnects with backoff from 100 ms up to 5 s (gRPC's default
// grows to 2 minutes), so a pool attaches soon after its head appears.
//
// Execution model: Attach starts a reader thread that hands every
// HeadMessage to `on_message` and calls `on_end` once when the stream ends
// (the head went away, or Detach). Send may be called from any thread;
// sends are serialized. Fetch and UploadCode block their caller (the
// controller runs them on its transfer thread).
#ifndef WASMHPC_WORKER_POOL_HEAD_CLIENT_H_
#define WASMHPC_WORKER_POOL_HEAD_CLIENT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/grpc_tls.h"
#include "wasmhpc/v1/pools.pb.h"
#include "worker/pool/pool_controller.h"

namespace wasmhpc::pool {

class HeadClient {
 public:
  // `target`: the head's "HOST:PORT"; `token`: the bearer token ("":
  // none); `tls`: plaintext unless enabled (LoadClientTls). Connects lazily.
  explicit HeadClient(const std::string& target, std::string token = "",
                      const ClientTls& tls = {});
  ~HeadClient();  // Detaches.

  // Opens the Attach stream and sends `hello` on it. Errors: Unavailable
  // (with gRPC's message) if the head cannot be reached; FailedPrecondition
  // if a stream is open already.
  absl::Status Attach(const v1::PoolMessage& hello,
                      std::function<void(const v1::HeadMessage&)> on_message,
                      std::function<void(const absl::Status&)> on_end);

  // Sends on the open stream. False if none is open or it broke.
  bool Send(const v1::PoolMessage& message);

  // Ends the stream, if open, and waits for its reader thread: closes the
  // pool's side and gives the head up to 5 s to end its side, then cancels.
  void Detach();

  // The module's bytes and, if the head has it for `fingerprint`, its
  // compiled code. Errors: the head's (NotFound for an unknown digest),
  // DeadlineExceeded after `timeout`.
  absl::StatusOr<ModuleBlob> Fetch(const std::string& digest,
                                   const std::string& fingerprint,
                                   absl::Duration timeout);

  // Uploads `code`, compiled for the engine `fingerprint`, for the module
  // `digest` (in chunks of at most 1 MiB; the first names the module and
  // the engine and carries `signature`, CodeKey::Sign of the code). Errors:
  // the head's, DeadlineExceeded after `timeout`.
  absl::Status UploadCode(const std::string& digest,
                          const std::string& fingerprint,
                          const std::string& code, const std::string& signature,
                          absl::Duration timeout);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_HEAD_CLIENT_H_
