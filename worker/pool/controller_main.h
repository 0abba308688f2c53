// RunController: rank 0 of a pool. Attaches to the head (and again after
// losing it), runs the PoolController, and returns once the pool leaves.
//
// Execution model: one loop thread (the caller's) runs every PoolController
// call; four kinds of threads post events onto it: the Attach stream's
// reader (HeadClient), a receiver that sleeps in poll(2) on the executors'
// control connections (control_socket.h) for their reports, a transfer
// thread that runs FetchModule and UploadCode calls one at a
// time (a fetch's bytes are checked against their digest and the result
// posted; an upload's failure is only logged), and the drain signal
// watcher (drain_signals.h). The loop also wakes for job timeouts.
//
// Losing the head (the stream ends): every job is stopped; once they have
// ended (or after reattach_grace: ranks still busy then refuse assignments
// until they are free) the controller attaches again with a new Hello,
// retrying with backoff (100 ms doubling to 5 s) while the head is
// unreachable; it logs that once per outage.
//
// Dying: an executor's control connection that ends without a Shutdown is
// that executor dying (SIGKILL, a crash, V8's fatal OOM), which makes Open
// MPI end the whole pool: the controller at once reports every job FAILED
// with "worker pool lost: executor rank N (host H, pid P) died ..."
// (PoolController::Lost). A SIGTERM from the launcher (the controller's
// parent, mpirun or its orted) is Open MPI ending the pool too: the
// controller looks for the executors on its host whose process is gone and
// says the same; if there is none, the reason says that a rank on another
// host died or mpirun was told to stop.
//
// Leaving: a drain signal (SIGUSR1, SIGUSR2, SIGTERM) drains the pool and
// tells the head; the head's Detach (or, without a head, the pool becoming
// idle) shuts the executors down (PoolController). Then the stream is ended
// (HeadClient::Detach) and RunController returns; the caller finalizes MPI,
// or aborts the pool with the returned code when executors are stuck (they
// never finalize; PoolController's "Stuck ranks").
// A draining pool never attaches again.
#ifndef WASMHPC_WORKER_POOL_CONTROLLER_MAIN_H_
#define WASMHPC_WORKER_POOL_CONTROLLER_MAIN_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cache-store/code_key.h"
#include "proto/grpc_tls.h"
#include "wasmhpc/v1/pools.pb.h"
#include "worker/pool/control_socket.h"

namespace wasmhpc::pool {

struct ControllerConfig {
  // The head's "HOST:PORT". Required.
  std::string head;
  // How to reach it: plaintext unless tls.enabled. Default: plaintext.
  ClientTls tls;
  // Sent on every attach: pool name, every rank's host, the engine
  // fingerprint, the version. Required.
  v1::PoolMessage::Hello hello;
  // The executors' control connections, indexed by pool rank (index 0
  // empty): control_socket.h's AcceptExecutors. Required.
  std::vector<std::unique_ptr<ControlConnection>> executors;
  // Limit for one FetchModule call. Default: 60 s.
  absl::Duration fetch_timeout = absl::Seconds(60);
  // After losing the head, how long stopped jobs may take to end before
  // the pool attaches again anyway. Default: 10 s.
  absl::Duration reattach_grace = absl::Seconds(10);
  // Fetched modules kept at the controller. Default: 8.
  size_t module_cache_entries = 8;
  // Sent as `authorization: Bearer TOKEN` on every call. Default: none.
  std::string token;
  // The deployment's code key: signs the code this pool uploads. Null: the
  // pool uploads no code (the head would refuse it). Not owned.
  const CodeKey* code_key = nullptr;
  // Limit for one UploadCode call. Default: 60 s.
  absl::Duration upload_timeout = absl::Seconds(60);
  // Drain on SIGUSR1, SIGUSR2 and SIGTERM (REQUIRES: BlockDrainSignals
  // before any thread started). Default: true.
  bool drain_on_signals = true;
  // Every pool rank's process id and host (hello.ranks), to tell which
  // executor died when mpirun ends the pool. Default: none (not told).
  std::vector<int> pids;
  // One line per notable event. Default: the process log
  // (common/logging.h).
  std::function<void(const std::string&)> log;
};

// Runs the controller until the pool leaves: every executor was sent
// Shutdown and the Attach stream is closed. Returns 0, or
// kRestartExitCode when the pool restarts to replace stuck executors.
int RunController(ControllerConfig config);

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_CONTROLLER_MAIN_H_
