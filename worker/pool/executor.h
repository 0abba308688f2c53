// Executor: one of a pool's job ranks (1..N-1) with its warm V8 isolate.
//
// Execution model: two threads; only the main one calls MPI (the host MPI
// is initialized MPI_THREAD_SINGLE, as under wasmhpc-run: Open MPI takes
// no locks, one progress engine).
//  - The main thread (the isolate's thread) runs Run(): it waits for an
//    assignment, runs the job, reports the result and waits again.
//  - A control thread reads the controller's messages from the control
//    connection (control_socket.h: TCP, off MPI), sleeping in poll(2) while
//    none comes: assignments and modules go to the main thread's inbox; a
//    Stop sets the job's stop flag and, while the guest runs, calls
//    Store::Terminate (RunControl), so the controller reaches an executor
//    whose guest computes or waits in MPI. While a job is in hand it also
//    sends the guest's output in batches every log_flush_interval. When the
//    connection ends (the controller is gone) it stops the job and the
//    executor ends.
//
// One job, on the main thread:
//  1. Its ranks build the job communicator: MPI_Comm_create_group over the
//     job's pool ranks (only they call it, so jobs on disjoint ranks never
//     wait for each other). The guest sees it as MPI_COMM_WORLD; job rank r
//     is the r-th rank of the assignment.
//  2. Module: each rank looks in its LRU of compiled modules (keyed by
//     digest). If any rank of the job misses (an MPI_Allreduce tells), the
//     job's rank 0 asks the controller (NeedModule), which answers with the
//     bytes and the compiled code it has (the head's, or a pool rank's).
//     If that code is not for rank 0's engine, rank 0 compiles the bytes
//     (unless it has the module already) and serializes the code. Rank 0
//     broadcasts bytes + code on the job communicator, and every rank that
//     missed loads it (CompileWithCache when the code's fingerprint is this
//     engine's, else Compile). Code rank 0 made goes up to the controller
//     (ToController.CompiledCode), which keeps it and uploads it to the
//     head. So the head is asked at most once per job, never per rank, and
//     a module is compiled once per job on hosts of one engine. Each
//     compile that used no code logs "wasmhpc-worker: rank R on HOST
//     compiled module DIGEST12 (no cached code for this engine)".
//  3. Each rank instantiates the module with WASI (args: argv[0] is the
//     module digest, then spec.args; env; dirs; stdin: spec.stdin on rank
//     0, end of file elsewhere; output to the LogBatcher) and the MPI bridge
//     (world: the job communicator; the InterruptibleTransport). An
//     MPI_Allreduce agrees that every rank loaded and none was stopped;
//     otherwise no rank runs (a rank that failed reports OUTCOME_LOAD_FAILED,
//     the others OUTCOME_SKIPPED).
//  4. Started, then _start. The result (exit code, trap, MPI_Abort, or
//     stopped) goes to the controller after the last of the output.
//  5. The instance goes, the job communicator is freed (MPI_Comm_free is
//     local in Open MPI: stopped peers do not hold it up), and the
//     executor is idle again.
//
// Stopping (cancel, timeout, another rank failed): a guest that computes
// stops at once (Store::Terminate). A guest waiting in point-to-point MPI
// (or in a collective with interruptible_collectives) returns from the
// wait (InterruptibleTransport). A blocking collective (the default) ends
// only when it completes: once all the job's ranks are stopped, one whose
// peers never entered it waits forever. The control thread reports such a
// rank to the controller (ToController.Stuck, naming the call) kStuckGrace
// after the stop; the controller counts it as stopped and restarts the
// pool to replace it (pool_controller.h). A guest waiting in poll_oneoff
// (sleep) wakes within 100 ms.
//
// Ended peers: the controller announces ranks of the job that ended
// cleanly (PeerEnded); a wait in MPI that only such a rank could complete
// gives up after kPeerEndedGrace and stops this rank's job, which reports
// OUTCOME_PEER_ENDED with the reason (peer_watch.h). Results carry whether
// the guest called MPI_Init and MPI_Finalize.
//
// Limits: the job's memory limit holds in every rank for its linear memory
// (memory.grow past it fails) and its tables at the start; the pool's
// --max-memory caps both and is each rank's V8 heap limit (tables grown
// while running): a guest that reaches it traps "out of memory", the
// executor goes on. Communicators, windows and requests the guest leaves behind
// are not freed.
//
// Create sets MPI_ERRORS_RETURN on the host MPI_COMM_WORLD: host errors
// that belong to no communicator are raised there, and a guest's bad call
// must fail that call, not abort the pool.
//
// Thread safety: Create and Run on one thread (the store's); the rest is
// internal.
#ifndef WASMHPC_WORKER_POOL_EXECUTOR_H_
#define WASMHPC_WORKER_POOL_EXECUTOR_H_

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cache-store/code_key.h"
#include "engine/engine.h"
#include "worker/pool/control_socket.h"
#include "worker/pool/exit_codes.h"

namespace wasmhpc::pool {

struct ExecutorOptions {
  // Required; not owned.
  engine::Engine* engine = nullptr;
  // The connection to the controller (control_socket.h). Required; not
  // owned.
  ControlConnection* control = nullptr;
  // The communicator job communicators are created from; this process's
  // rank in it is its pool rank. Default: MPI_COMM_WORLD.
  MPI_Comm world = MPI_COMM_WORLD;
  // Compiled modules kept for later jobs. Default: 16.
  size_t module_cache_entries = 16;
  // Guest output is sent at least this often while a job runs...
  // Default: 50 ms.
  absl::Duration log_flush_interval = absl::Milliseconds(50);
  // ... and as soon as this much is waiting. Default: 64 KiB.
  size_t log_flush_bytes = 64 << 10;
  // Blocking collectives become nonblocking + test loops so a stop ends
  // their wait (InterruptibleTransport; slower small collectives). Default:
  // false: the host's tuned blocking collectives, and a rank a stop leaves
  // waiting in one reports Stuck.
  bool interruptible_collectives = false;
  // One line per problem (lost messages, MPI errors). Default: the
  // process log (common/logging.h).
  std::function<void(const std::string&)> log;
  // The deployment's code key: compiled code from the head is deserialized
  // only if its signature verifies with it; otherwise (or when null) the
  // job's rank 0 compiles the module's bytes. Not owned.
  const CodeKey* code_key = nullptr;
  // The pool's --allow-dir: a job's dirs are opened only below one of them
  // (when any is given), and never through a symbolic link (the head
  // resolved them at submit). Default: none (any path without links).
  std::vector<std::string> allowed_dirs;
};

class Executor {
 public:
  // Creates the warm isolate and this rank's state. Errors: those of the
  // engine; InvalidArgument for missing options.
  static absl::StatusOr<std::unique_ptr<Executor>> Create(
      ExecutorOptions options);
  ~Executor();

  // Runs jobs until the controller sends Shutdown.
  void Run();

  struct State;

 private:
  explicit Executor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_EXECUTOR_H_
