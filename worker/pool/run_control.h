// RunControl: stopping an executor's job from another thread, never the
// wrong one.
//
// A job is stopped by a flag (read by WASI waits, the interruptible MPI
// transport and the executor's own waits) and, while its guest runs, by
// Store::Terminate. Terminate has a sharp edge: issued when no guest runs,
// it stops the next run at its first instruction. RunControl therefore
// calls it only between EnterRun and LeaveRun (under its lock), and if the
// guest finished on its own just as Terminate was issued, LeaveRun clears
// the pending termination by running a tiny looping module, where it lands
// (the engine cancels it on the way out), so the next job starts clean.
//
// A stop may name a job that has not begun yet (the controller's Stop can
// overtake the executor's main thread, which may still be finishing the
// previous job): it is remembered and applies when that job begins.
//
// Thread safety: BeginJob/EnterRun/LeaveRun/EndJob on the store's thread;
// Stop and stop_requested from any thread.
#ifndef WASMHPC_WORKER_POOL_RUN_CONTROL_H_
#define WASMHPC_WORKER_POOL_RUN_CONTROL_H_

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "engine/engine.h"

namespace wasmhpc::pool {

class RunControl {
 public:
  // Compiles the drain module into `store` (which must outlive this).
  // `on_stop` (may be empty) is called, without the lock held, after every
  // Stop that applies to the current job, to wake the job's waits.
  static absl::StatusOr<std::unique_ptr<RunControl>> Create(
      engine::Store& store, std::function<void()> on_stop);
  ~RunControl();

  // Job `job_id` begins (module loading, instantiation). A stop that came
  // for it earlier applies now. REQUIRES: no job in progress.
  void BeginJob(const std::string& job_id);
  // The guest is about to run. False if the job is to stop: do not run.
  bool EnterRun();
  // The run ended with `result`; clears a Terminate that came too late to
  // stop it.
  void LeaveRun(const engine::RunResult& result);
  // The job is over; stops for it are forgotten.
  void EndJob();

  // Stops job `job_id`: the current job, or a later one when it begins
  // (stops for jobs that already ended are dropped at the next BeginJob).
  void Stop(const std::string& job_id);
  // Stops the current job, whichever it is (the controller is gone).
  void StopCurrent();
  // The job between BeginJob and EndJob, else "". Any thread.
  std::string current_job() const;
  // True once the current job is to stop.
  bool stop_requested() const { return stop_.load(std::memory_order_acquire); }
  // The flag behind stop_requested(), for waits that poll it.
  const std::atomic<bool>* stop_flag() const { return &stop_; }

  // How many pending terminations LeaveRun has cleared (for tests).
  int drained() const { return drained_; }

 private:
  RunControl(engine::Store& store, std::unique_ptr<engine::Module> drain,
             std::function<void()> on_stop);
  // Runs the drain module until the pending termination stops it.
  void Drain();

  engine::Store& store_;
  std::unique_ptr<engine::Module> drain_;
  std::function<void()> on_stop_;
  std::atomic<bool> stop_{false};
  int drained_ = 0;  // store thread only

  mutable absl::Mutex mu_;
  std::string job_ ABSL_GUARDED_BY(mu_);  // "" between jobs
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool terminated_ ABSL_GUARDED_BY(mu_) = false;  // Terminate issued
  std::set<std::string> early_stops_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_RUN_CONTROL_H_
