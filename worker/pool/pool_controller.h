// PoolController: the job bookkeeping of a pool's rank 0.
//
// The controller turns the head's assignments and cancels into messages for
// the executors, and the executors' reports (started, logs, results) into
// events for the head: JobStarted once every rank of a job entered _start,
// JobLogs as batches arrive, JobFinished once every rank of the job has
// reported. It holds no MPI or gRPC type: the head, the executors and the
// module fetcher come in through the small interfaces below (gRPC and
// socket implementations in head_client.h and controller_main.cc; fakes in
// the unit test).
//
// Job outcome: SUCCEEDED when every rank exited 0 (after MPI_Finalize, if
// it called MPI_Init, in a job of several ranks). Otherwise the first cause
// wins: a failing rank (non-zero exit, trap, MPI_Abort, load failure, an
// exit after MPI_Init without MPI_Finalize in a job of several ranks, as
// Open MPI's mpirun treats it) makes the job FAILED with that rank and its
// reason ("rank 1 exited (code 0) before MPI_Finalize while other ranks
// still ran") and stops the others; a
// cancel from the head makes it CANCELLED, a passed timeout TIMED_OUT, a
// lost head FAILED ("worker pool lost its head"). Stopping a job sends Stop
// to its ranks that have not reported yet; the job ends when they report.
// A job's timeout counts from its assignment (module loading included).
//
// Ranks that end cleanly (exit 0 after MPI_Finalize, or without MPI) while
// others of their job still run are announced to those (ToExecutor.
// PeerEnded): a wait in MPI that only an ended rank could complete gives
// up after a short grace (peer_watch.h) and its rank reports
// OUTCOME_PEER_ENDED, which fails the job naming the ended rank ("rank 1
// exited (code 0) after MPI_Finalize while rank 0 still waited for it in
// MPI_Recv"; failed_rank is the ended rank).
//
// Stuck ranks: a stop cannot end a rank's wait in a blocking collective
// (the pool's default: the host's tuned collectives) whose peers were
// stopped before entering it. Such a rank reports Stuck after kStuckGrace;
// it counts as stopped for its job (which then ends as its stop says), is
// never assigned again, and the pool restarts to replace it: it drains
// ("restarting: executor rank R is stuck in MPI_X since job J was
// stopped", told to the head) and, once no other job runs, shuts down with
// restart_exit_code() (the launcher's service restarts the pool).
//
// Module fetches: the job's rank 0 asks (NeedModule) when some rank of the
// job lacks the module; the controller answers from its own LRU of fetched
// modules, else fetches once per digest however many jobs wait for it, and
// sends bytes + code to that rank only (it broadcasts on the job
// communicator).
//
// Compiled code: a job's rank 0 that had to compile (the module came without
// code for its engine) reports the code (ToController.CompiledCode); the
// controller keeps it with the module's bytes, so later NeedModules get
// bytes + code, and hands it to the CodeUploader for the head.
//
// Leaving: Drain (a signal at rank 0) makes the pool refuse new assignments
// ("pool is draining") and tells the head (PoolMessage.Drain, once), which
// answers Detach when the pool's jobs have ended. A Detach (also one that
// comes without a Drain: an operator's `pools drain --detach`) makes the
// pool refuse assignments too and shut down once its running jobs have
// ended: every executor gets Shutdown and shut_down() turns true (the
// caller then ends the stream and exits). A draining pool without a head
// (never attached, or lost) shuts down as soon as it has no jobs.
//
// Execution model: single-threaded. All On*/Tick calls come from one loop
// thread (controller_main.cc posts every event onto it); the interfaces are
// called from that thread.
#ifndef WASMHPC_WORKER_POOL_POOL_CONTROLLER_H_
#define WASMHPC_WORKER_POOL_POOL_CONTROLLER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "wasmhpc/v1/pools.pb.h"
#include "worker/pool/control.pb.h"
#include "worker/pool/exit_codes.h"
#include "worker/pool/lru_cache.h"

namespace wasmhpc::pool {

// A module as the head serves it.
struct ModuleBlob {
  std::string bytes;
  // Serialized code for `engine_fingerprint`; empty if the head has none.
  std::string compiled_code;
  std::string engine_fingerprint;
  // CodeKey::Sign of compiled_code, from the head.
  std::string code_signature;
};

// The head, as the controller sees it.
class HeadLink {
 public:
  virtual ~HeadLink() = default;
  // Sends an event to the head. Dropped when no stream is open (the head
  // reconciles the pool's jobs when the pool attaches again).
  virtual void Send(const v1::PoolMessage& message) = 0;
};

// Fetches modules from the head without blocking the caller; the result
// comes back as PoolController::OnModuleFetched on the loop thread.
class ModuleFetcher {
 public:
  virtual ~ModuleFetcher() = default;
  virtual void StartFetch(const std::string& digest) = 0;
};

// Uploads compiled code to the head without blocking the caller (failures
// are only logged: the head's copy is an optimization).
class CodeUploader {
 public:
  virtual ~CodeUploader() = default;
  // `code`: compiled_code and engine_fingerprint are set; bytes may be
  // empty.
  virtual void StartUpload(const std::string& digest,
                           std::shared_ptr<const ModuleBlob> code) = 0;
};

// The executor ranks, reached over the control communicator.
class ExecutorLink {
 public:
  virtual ~ExecutorLink() = default;
  virtual void Send(int rank, const ToExecutor& message) = 0;
};

// How long a stopped rank may take to end its job before it reports Stuck
// (executor.cc); a stop ends every interruptible wait within a second.
inline constexpr absl::Duration kStuckGrace = absl::Seconds(3);
// The pool's exit code when it restarts to replace stuck ranks (EX_TEMPFAIL:
// the launcher's service starts it again).
inline constexpr int kRestartExitCode = 75;

struct PoolControllerOptions {
  // Ranks in the pool world, the controller (rank 0) included. Required.
  int world_size = 0;
  // Required; not owned.
  HeadLink* head = nullptr;
  ExecutorLink* executors = nullptr;
  ModuleFetcher* fetcher = nullptr;
  // Not owned. Default (null): compiled code is kept, not uploaded.
  CodeUploader* uploader = nullptr;
  // Signs code an executor compiled (CodeKey::Sign of digest, fingerprint,
  // code): executors take code from the controller only when signed, and
  // the head stores only signed code. Default (empty): such code is neither
  // kept nor uploaded (each executor compiles).
  std::function<std::string(const std::string& digest,
                            const std::string& fingerprint,
                            const std::string& code)>
      sign_code;
  // Fetched modules kept at the controller for later jobs. Default: 8.
  size_t module_cache_entries = 8;
  // Time source for job timeouts. Default: the system clock. Not owned.
  Clock* clock = RealClock();
  // One line per notable event (rejected assignments, stray messages).
  // Default (empty): silent.
  std::function<void(const std::string&)> log;
};

class PoolController {
 public:
  explicit PoolController(PoolControllerOptions options);

  // An assignment, cancel or detach from the head (Welcome records the pool
  // id). An assignment that cannot run is answered at once with a FAILED
  // JobFinished naming the problem: given back (not_run: the head queues it
  // again) when the pool is draining or going down; a failure for a
  // malformed one (ranks outside 1..N-1, busy, or not matching spec.ranks;
  // no module digest).
  void OnHeadMessage(const v1::HeadMessage& message);

  // The Attach stream is open (events reach the head from now on).
  void OnAttached();

  // Stops taking jobs: sends PoolMessage.Drain{reason} to the head if
  // attached (once: later calls only log); without a head, shuts down once
  // no job runs.
  void Drain(const std::string& reason);

  // A report from executor `rank`. Stray reports (unknown job, a rank not
  // in the job) are logged and dropped.
  void OnExecutorMessage(int rank, const ToController& message);

  // The fetch started for `digest` finished.
  void OnModuleFetched(const std::string& digest,
                       absl::StatusOr<std::shared_ptr<const ModuleBlob>> blob);

  // The Attach stream ended: every job is stopped (its end is reported to
  // nobody; the head fails the pool's jobs on its side). A draining pool
  // shuts down once they have ended.
  void OnHeadLost();

  // The pool is going down now, not draining: mpirun is ending it (an
  // executor died, as `reason` says). The head is told first (a Drain
  // "going down: REASON", so it assigns nothing more); every job is reported
  // at once with "worker pool lost: REASON" (its ranks will not report):
  // FAILED when a rank started it, else given back (not_run) for another
  // pool; later assignments are given back too. Nothing is sent to the
  // executors.
  void Lost(const std::string& reason);

  // Stops jobs whose timeout passed. Call at NextDeadline() or later.
  void Tick();
  // The earliest timeout of a running job, if any.
  std::optional<absl::Time> NextDeadline() const;

  // Jobs not yet finished (stopping ones included).
  size_t active_jobs() const { return jobs_.size(); }
  bool rank_busy(int rank) const { return !rank_job_.at(rank).empty(); }
  const std::string& pool_id() const { return pool_id_; }
  // True once Drain or a Detach came: no new jobs, and no attaching again.
  bool draining() const { return draining_ || detaching_; }
  // True once every executor was sent Shutdown: the pool is done.
  bool shut_down() const { return shut_down_; }
  // After shut_down(): 0, or kRestartExitCode when ranks are stuck (they
  // will not finalize MPI: the caller aborts the pool with it).
  int exit_code() const { return stuck_.empty() ? 0 : kRestartExitCode; }

 private:
  enum class StopCause { kNone, kFailure, kCancel, kTimeout, kHeadLost };

  struct Job {
    std::string id;
    v1::JobSpec spec;
    std::vector<int> ranks;  // pool ranks, in job rank order
    int started = 0;
    std::vector<std::optional<ToController::Result>> results;
    int reported = 0;
    StopCause stop = StopCause::kNone;
    std::string stop_reason;
    int failed_rank = -1;  // job rank
    std::string failure;
    std::optional<absl::Time> deadline;
  };

  void Assign(const v1::HeadMessage::Assign& assign);
  // Why `assign` cannot run here; empty if it can.
  std::string Refusal(const v1::HeadMessage::Assign& assign) const;
  // Reports job `job_id` FAILED with `reason`, not started by any rank;
  // `give_back` sets not_run (the head may queue it again).
  void SendNotRun(const std::string& job_id, const std::string& reason,
                  bool give_back);
  void Cancel(const v1::HeadMessage::Cancel& cancel);
  void NeedModule(int rank, Job& job, const ToController::NeedModule& need);
  void SendModule(
      int rank, const std::string& job_id,
      const absl::StatusOr<std::shared_ptr<const ModuleBlob>>& blob);
  void Result(int rank, Job& job, const ToController::Result& result);
  void Stuck(int rank, Job& job, int job_rank, const ToController::Stuck& s);
  void CodeCompiled(int rank, const ToController::CompiledCode& code);
  void Detach(const v1::HeadMessage::Detach& detach);
  // Shuts down if the pool should leave and no job runs.
  void MaybeShutDown();
  void Stop(Job& job, StopCause cause, std::string reason);
  // Why `result` (a clean exit) fails `job`: it called MPI_Init but not
  // MPI_Finalize in a job of several ranks. Empty if it does not.
  std::string UnfinalizedEnd(const Job& job,
                             const ToController::Result& result) const;
  // Tells the job's ranks still running that `result`'s rank ended.
  void AnnounceEnd(const Job& job, const ToController::Result& result);
  void Finish(Job& job);
  // The job that `rank` reports about, with its job rank; null if stray.
  Job* Find(int rank, const std::string& job_id, int* job_rank);
  void Log(const std::string& line) const;

  PoolControllerOptions options_;
  std::string pool_id_;
  bool attached_ = false;
  bool draining_ = false;   // Drain called
  bool detaching_ = false;  // the head sent Detach
  bool shut_down_ = false;
  std::string lost_;  // Lost's reason
  std::map<std::string, Job> jobs_;
  std::vector<std::string> rank_job_;  // job id per pool rank, "" if idle
  std::map<int, std::string> stuck_;   // pool rank -> what it is stuck in
  int32_t next_comm_tag_ = 1;
  LruCache<std::string, std::shared_ptr<const ModuleBlob>> modules_;
  // Digest -> (pool rank, job id) waiting for its fetch.
  std::map<std::string, std::vector<std::pair<int, std::string>>> fetching_;
};

// "rank 1 trapped: divide by zero", "rank 0 exited with code 3", ...: the
// reason a failing rank gives a job.
std::string DescribeFailure(const ToController::Result& result);

// True if `result` fails its job (anything but exit code 0 of its own
// accord; a stopped or skipped rank fails nothing by itself).
bool IsFailure(const ToController::Result& result);

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_POOL_CONTROLLER_H_
