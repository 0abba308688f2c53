// RunController: rank 0 of a pool. Attaches to the head (and again after
// losing it), and runs the PoolController.
//
// Execution model: one loop thread (the caller's) runs every PoolController
// call; three kinds of threads post events onto it: the Attach stream's
// reader (HeadClient), an MPI receiver that polls the control communicator
// for the executors' reports (PollPause: at most max_poll_interval apart),
// and a fetch thread that runs FetchModule calls one at a time, checks the
// bytes against their digest and posts the result. The loop also wakes for
// job timeouts.
//
// Losing the head (the stream ends): every job is stopped; once they have
// ended (or after reattach_grace: ranks still busy then refuse assignments
// until they are free) the controller attaches again with a new Hello,
// retrying with backoff up to 5 s while the head is unreachable.
#ifndef WASMHPC_WORKER_POOL_CONTROLLER_MAIN_H_
#define WASMHPC_WORKER_POOL_CONTROLLER_MAIN_H_

#include <mpi.h>

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "wasmhpc/v1/pools.pb.h"

namespace wasmhpc::pool {

struct ControllerConfig {
  // The head's "HOST:PORT". Required.
  std::string head;
  // Sent on every attach: pool name, every rank's host, the engine
  // fingerprint, the version. Required.
  v1::PoolMessage::Hello hello;
  // The control communicator (the controller is its rank 0). Required.
  MPI_Comm control = MPI_COMM_NULL;
  // Longest pause between polls of the control communicator (the pause
  // grows from 50 us while nothing arrives). Default: 1 ms.
  absl::Duration max_poll_interval = absl::Milliseconds(1);
  // Limit for one FetchModule call. Default: 60 s.
  absl::Duration fetch_timeout = absl::Seconds(60);
  // After losing the head, how long stopped jobs may take to end before
  // the pool attaches again anyway. Default: 10 s.
  absl::Duration reattach_grace = absl::Seconds(10);
  // Fetched modules kept at the controller. Default: 8.
  size_t module_cache_entries = 8;
  // One line per notable event. Default: stderr.
  std::function<void(const std::string&)> log;
};

// Runs the controller. Never returns: a pool ends when mpirun ends it.
[[noreturn]] void RunController(ControllerConfig config);

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_CONTROLLER_MAIN_H_
