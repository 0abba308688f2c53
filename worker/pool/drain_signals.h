// Drain signals: SIGUSR1, SIGUSR2 and SIGTERM ask a pool to leave (Slurm's
// time limit, systemd stop, the wasmhpc-pool launcher). mpirun forwards
// SIGUSR1 and SIGUSR2 to every rank; only rank 0 (the controller) acts on
// them, the executors ignore them.
//
// The signals are taken synchronously: BlockDrainSignals blocks them before
// any thread starts (threads inherit the mask), and a DrainSignalWatcher's
// thread takes them with sigtimedwait, so nothing runs in a signal handler.
//
// Thread safety: BlockDrainSignals and IgnoreDrainSignals are for main();
// a DrainSignalWatcher is created and destroyed on one thread.
#ifndef WASMHPC_WORKER_POOL_DRAIN_SIGNALS_H_
#define WASMHPC_WORKER_POOL_DRAIN_SIGNALS_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace wasmhpc::pool {

// Blocks the drain signals in the calling thread and the threads it starts
// later. REQUIRES: called before any other thread starts (MPI, V8, gRPC).
void BlockDrainSignals();

// Discards the drain signals in this process (executor ranks).
void IgnoreDrainSignals();

// Takes the drain signals on a thread of its own.
class DrainSignalWatcher {
 public:
  // Calls `on_signal` with the signal's name ("SIGUSR1", "SIGUSR2",
  // "SIGTERM") on the watcher's thread, once per delivered signal, and
  // whether this process's parent sent it (mpirun or its orted: under
  // Open MPI 4.1 a SIGTERM from them means mpirun is ending the whole job,
  // e.g. because a rank died; it is followed by SIGKILL within about 1 s).
  // REQUIRES: BlockDrainSignals was called before any thread started.
  explicit DrainSignalWatcher(
      std::function<void(const std::string&, bool from_parent)> on_signal);
  // Stops the thread (within 100 ms).
  ~DrainSignalWatcher();

  DrainSignalWatcher(const DrainSignalWatcher&) = delete;
  DrainSignalWatcher& operator=(const DrainSignalWatcher&) = delete;

 private:
  std::function<void(const std::string&, bool)> on_signal_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_DRAIN_SIGNALS_H_
