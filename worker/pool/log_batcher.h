// LogBatcher: what a guest writes to stdout and stderr, gathered until the
// executor sends it to the controller as one ToController.Logs batch.
//
// Consecutive writes to one stream become one chunk, so a batch has as
// many chunks as the guest switched streams, not one per fd_write.
//
// Thread safety: thread-safe (the guest's thread appends, the executor's
// control thread takes batches on a timer).
#ifndef WASMHPC_WORKER_POOL_LOG_BATCHER_H_
#define WASMHPC_WORKER_POOL_LOG_BATCHER_H_

#include <cstddef>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "worker/pool/control.pb.h"

namespace wasmhpc::pool {

class LogBatcher {
 public:
  // Adds bytes the guest wrote to `fd` (1: stdout, anything else: stderr).
  void Append(int fd, std::string_view bytes);

  // Bytes gathered and not taken yet.
  size_t pending_bytes() const;

  // Moves the gathered chunks into `logs`, tagged with job rank `rank`.
  // Returns false (and leaves `logs` alone) if nothing was gathered.
  bool Take(int rank, ToController::Logs* logs);

 private:
  mutable absl::Mutex mu_;
  ToController::Logs pending_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_LOG_BATCHER_H_
