// Scheduler: the head's job queue and job state machine. Jobs wait in one
// queue and go, first fit, to the first attached pool (PoolRegistry) with
// enough free executor ranks; pool events move them on:
//
//   QUEUED -> STARTING (Assign sent) -> RUNNING (pool: Started)
//          -> SUCCEEDED | FAILED | CANCELLED | TIMED_OUT (pool: Finished)
//
// Ordering: higher JobSpec.priority first; within a priority, fair share:
// the job whose owner would have fewer ranks in use (its running jobs' and
// its queued jobs' ahead of this one) goes first; then first come, first
// served. The order is recomputed whenever jobs are dispatched, so a
// high-priority job overtakes the queue but not a job already started.
// EASY backfill (backfill.h): while the job at the front does not fit, a
// later job starts only where it cannot delay the front job's reservation
// (computed from the running jobs' timeouts), so a wide job at the front
// is never starved by narrow ones behind it; without timeouts nobody can
// say when the front job starts, and the others wait QUEUED too. A QUEUED
// job's snapshots (Get, Submit, watchers) carry its place in this order
// (Job.queue); watchers get a new snapshot whenever the place or the
// largest free block changes.
//
// Arrays (JobSpec.array, job_array.h): Submit makes one job per index, all
// or none, each QUEUED on its own; a task whose array already has
// max_running tasks STARTING or RUNNING is passed over (it holds up nobody).
// Assign adds WASMHPC_ARRAY_INDEX and WASMHPC_ARRAY_ID to the task's env.
//
// Dependencies (JobSpec.dependencies, job_dependencies.h): a queued job
// whose dependencies are not all met is passed over (it holds up nobody);
// each is checked when its job starts running or ends, and one that can no
// longer be met ends the job CANCELLED, naming it (and so on down a chain).
// Submit refuses a dependency that is already unmeetable, or on an unknown
// job.
//
// Retries: a Submit with the request_id of an earlier Submit by the same
// owner returns that job instead of queuing another (the index is rebuilt
// from the records at start and forgets jobs ExpireJobs deletes).
//
// Stops: Cancel of a QUEUED job ends it at once (CANCELLED). A STARTING or
// RUNNING job gets a Cancel message to its pool and ends when the pool
// answers Finished: CANCELLED (or TIMED_OUT, for a timeout), unless the pool
// reports SUCCEEDED (it finished first). A RUNNING job past its spec's
// timeout (counted from Started) is stopped the same way by CheckTimeouts.
// If the pool does not confirm a stop within stop_grace, the job ends anyway
// and its ranks stay busy until the pool reports Finished or detaches.
//
// Pools: a job runs on one pool, the first ACTIVE one with enough free
// executors. DrainPool (an operator, or the pool itself through a Drain
// message) stops new jobs going to a pool; its running jobs finish. A pool
// drained with detach (always, when the pool asked) is sent Detach once it is
// idle, and leaves. When a pool's stream ends (DetachPool) its STARTING and
// RUNNING jobs end FAILED with reason "worker pool lost"; queued jobs keep
// waiting for a pool (a re-attached pool is a new pool). A pool that is
// leaving (draining, or going down because an executor died) gives back the
// STARTING jobs none of its ranks started (JobFinished.not_run): they are
// queued again, first in line, unless they were being stopped. Pool
// launchers report failed launches (ReportPoolFailure); ListPools shows the
// latest.
//
// Durability: every job change is written to the CacheStore (a serialized
// wasmhpc.v1.Job under the job id) before the call returns. Create()
// reconciles the records a previous head left: QUEUED jobs never reached a
// pool and are queued again (in submission order); STARTING and RUNNING
// jobs end FAILED with reason "head restarted" (their pool's stream ended
// with the old head, and pools stop their jobs when their stream ends).
//
// Execution model: every method runs on the caller's thread under one mutex
// (`mu_`); messages to pools are handed to PoolSink::Send under it, so they
// reach each pool in decision order. Log appends run outside it (JobLog).
// Watchers learn of changes through their JobSubscription and changes().
// Nothing runs in the background: the head calls CheckTimeouts periodically.
//
// Thread safety: all methods may be called from any thread.
#ifndef WASMHPC_SERVER_HANDLERS_SCHEDULER_H_
#define WASMHPC_SERVER_HANDLERS_SCHEDULER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cache-store/cache_store.h"
#include "common/clock.h"
#include "server/handlers/backfill.h"
#include "server/handlers/change_signal.h"
#include "server/handlers/duration_histogram.h"
#include "server/handlers/job_log.h"
#include "server/handlers/pool_registry.h"
#include "server/handlers/proto_time.h"
#include "wasmhpc/v1/jobs.pb.h"
#include "wasmhpc/v1/pools.pb.h"

namespace wasmhpc::server {

// Job ids are kJobIdPrefix followed by a decimal sequence number, zero
// padded to 8 digits, so that the store lists them in submission order.
inline constexpr absl::string_view kJobIdPrefix = "job-";

// True for SUCCEEDED, FAILED, CANCELLED and TIMED_OUT.
bool IsFinal(v1::JobState state);

// Job counts for monitoring (the head's /metrics).
struct JobStats {
  // Jobs not ended, by state (QUEUED, STARTING, RUNNING), now.
  std::map<v1::JobState, int64_t> active;
  // Since this head started: jobs submitted, and jobs ended by final state.
  uint64_t submitted = 0;
  std::map<v1::JobState, uint64_t> ended;
  // Since this head started: from submit to the pool's assignment, and
  // from the pool's start to the end (jobs that ran).
  DurationHistogram queue_wait;
  DurationHistogram run_time;
};

struct SchedulerOptions {
  // Job records and logs. REQUIRED; not owned; outlives the scheduler.
  CacheStore* store = nullptr;
  // Timestamps and timeouts. Default: the system clock.
  Clock* clock = RealClock();
  // How long a pool may take to confirm a Cancel before the head ends the
  // job on its own. Default: 30 s.
  absl::Duration stop_grace = absl::Seconds(30);
  // Prefix of pool ids. Default: "pool-" and 4 random hex digits, different
  // for each head.
  std::string pool_id_prefix;
  // Diagnostics (ignored pool messages, failed writes). Default: stderr.
  LogFn log;
  // Jobs one owner may have queued, starting or running at once; 0: no
  // limit. Default: 1000.
  int64_t max_active_jobs_per_owner = 1000;
};

// The snapshots of one job a watcher has yet to see: the job as it was when
// subscribed, then the job after each change, in order.
class JobSubscription {
 public:
  // The oldest snapshot not taken yet, if any.
  std::optional<v1::Job> Pop();

 private:
  friend class Scheduler;
  void Push(const v1::Job& job);
  absl::Mutex mu_;
  std::deque<v1::Job> queue_ ABSL_GUARDED_BY(mu_);
};

class Scheduler {
 public:
  // Loads and reconciles the job records in options.store (see above).
  // Errors: the store's.
  static absl::StatusOr<std::unique_ptr<Scheduler>> Create(
      SchedulerOptions options);

  // Notified on every job change and log append, and on Shutdown.
  ChangeSignal& changes() { return changes_; }
  JobLog& log() { return log_; }

  // --- Jobs ---------------------------------------------------------------

  // Queues a job. REQUIRES: the spec was validated (JobHandler). Errors:
  // FailedPrecondition when spec.ranks is more than the largest attached
  // pool that is not detaching has (a draining pool may resume) ("job asks 8
  // ranks; the largest pool has 4 executor ranks"), Unavailable while shutting
  // down, the store's on a failed write. `module_name`: the guest's argv[0];
  // empty means the digest.
  // `owner`: who submits (Job.owner). ResourceExhausted when the owner
  // already has max_active_jobs_per_owner jobs not ended. `request_id`
  // (Job.request_id): see Retries above; AlreadyExists when it names a job
  // of another spec.
  absl::StatusOr<v1::Job> Submit(const v1::JobSpec& spec,
                                 std::string module_name = "",
                                 std::string owner = "",
                                 std::string request_id = "");

  // The job as it is now. NotFound "no job <id>".
  absl::StatusOr<v1::Job> Get(absl::string_view id) const;

  // Asks the job to stop (see above) and returns it as it is now: CANCELLED
  // for a queued job, still STARTING/RUNNING while its pool stops it, and
  // unchanged for an ended one. NotFound for an unknown id.
  absl::StatusOr<v1::Job> Cancel(absl::string_view id);
  // Cancel of every task not ended of the job array `array_id`; returns how
  // many there were.
  int CancelArray(absl::string_view array_id);

  // Starts following a job: the subscription holds the job as it is, then
  // gets every later snapshot until the job has ended. NotFound if unknown.
  // Call Unsubscribe when done.
  absl::StatusOr<std::shared_ptr<JobSubscription>> Subscribe(
      absl::string_view id);
  void Unsubscribe(absl::string_view id,
                   const std::shared_ptr<JobSubscription>& subscription);

  // --- Pools --------------------------------------------------------------

  // Registers a pool, sends it Welcome{pool_id} and gives it the queued jobs
  // that fit. `sink` stays in use until DetachPool. Errors: PoolRegistry's,
  // Unavailable while shutting down.
  absl::StatusOr<std::string> AttachPool(const v1::PoolMessage::Hello& hello,
                                         PoolSink* sink);

  // Applies one message of an attached pool's stream (Started, Logs,
  // Finished). A message about a job that is not (or no longer) this pool's
  // is ignored and reported as NotFound/FailedPrecondition; the stream goes
  // on. InvalidArgument for a second Hello or an empty message.
  absl::Status HandlePoolMessage(absl::string_view pool_id,
                                 const v1::PoolMessage& message);

  // The pool's stream ended: its jobs end FAILED "worker pool lost" (not
  // while shutting down: then the records stay for the next head to
  // reconcile). The sink is not used again. Unknown ids are ignored.
  void DetachPool(absl::string_view pool_id);

  // The pool takes no new jobs from now on; its running jobs finish. With
  // `detach`, it is sent Detach once idle (at once if idle now). A detach
  // cannot be undone. Returns the pool as listed. NotFound "no pool <id>".
  absl::StatusOr<v1::Pool> DrainPool(absl::string_view pool_id, bool detach,
                                     std::string reason);
  // A draining pool takes jobs again. NotFound; FailedPrecondition for a
  // pool that is detaching.
  absl::StatusOr<v1::Pool> ResumePool(absl::string_view pool_id);
  // Records a pool launch that failed (a POOL_FAILED entry of ListPools).
  v1::Pool ReportPoolFailure(std::string name, std::vector<std::string> hosts,
                             std::string reason);

  // Attached pools in attach order, then reported failures, newest first.
  std::vector<v1::Pool> ListPools() const;
  // A snapshot of the counts (see JobStats).
  JobStats Stats() const;
  // Executor ranks of the largest attached pool (0 when none).
  int LargestPool() const;

  // --- Time and shutdown --------------------------------------------------

  // Stops RUNNING jobs past their timeout, and ends stops the pools did not
  // confirm within stop_grace; writes the records of ended jobs that a full
  // disk held back. The head calls this a few times a second.
  void CheckTimeouts();

  // Deletes the records and logs of jobs that ended (SUCCEEDED, FAILED,
  // CANCELLED, TIMED_OUT) `retain` or longer ago; queued, starting, running
  // and lingering jobs are never deleted. InfiniteDuration keeps every job.
  // Scans all job records: the head calls it once a minute, not per tick.
  // Returns how many jobs were deleted; store errors are logged and end the
  // scan (the next call goes on).
  int ExpireJobs(absl::Duration retain);
  // Deletes the records and logs of the ended jobs that ended `older_than`
  // or longer ago and that `which` accepts (every one when null), as
  // ExpireJobs; `deleted`: how many. Errors: the store's (what was deleted
  // before stays deleted).
  absl::Status DeleteEnded(absl::Duration older_than,
                           const std::function<bool(const v1::Job&)>& which,
                           int64_t* deleted);

  // Refuses new jobs and pools from now on and wakes every watcher.
  void Shutdown();
  bool shutting_down() const;

 private:
  struct ActiveJob {
    v1::Job job;
    std::vector<int32_t> pool_ranks;         // Once assigned.
    std::optional<v1::JobState> stop_state;  // CANCELLED or TIMED_OUT.
    std::string stop_reason;
    absl::Time stop_asked;
    std::vector<std::shared_ptr<JobSubscription>> watchers;
    v1::QueueState published_queue;       // In the watchers' latest snapshot.
    std::vector<v1::Dependency> waiting;  // Dependencies not met yet.
    v1::JobState logged = v1::JOB_STATE_UNSPECIFIED;  // Its last log line.
  };
  // A job the head ended while its pool still runs it.
  struct Lingering {
    std::string pool_id;
    std::vector<int32_t> ranks;
  };

  explicit Scheduler(SchedulerOptions options);
  absl::Status Reconcile();
  // Reconcile's first part: the records into the queue and the indexes.
  absl::Status LoadRecords(const std::vector<JobRecord>& records)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // OK when `owner` may have `more` jobs not ended on top of its own.
  absl::Status CheckQueueQuota(absl::string_view owner, size_t more) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The stored record of `id` (any thread; takes no lock).
  absl::StatusOr<v1::Job> LoadRecord(absl::string_view id) const;

  // Writes the record and tells the watchers; a new state is logged (one
  // line per transition) and timed (queue_wait_, run_time_).
  absl::Status Save(ActiveJob& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Transition(ActiveJob& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sets the final state, saves, releases the ranks, forgets the job.
  void End(const std::string& id, v1::JobState state, std::string reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AskStop(ActiveJob& job, v1::JobState state, std::string reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Cancel without the Dispatch: true when it ended a queued job (the
  // caller then dispatches).
  bool CancelLocked(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A STARTING job its pool gave back (not_run, `why`): its ranks are
  // released and it is first in the queue again.
  void Requeue(ActiveJob& job, const std::string& why)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Puts the queue in its order (see Ordering above): priority, then fair
  // share, then as it was.
  void OrderQueue() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A queued job passed over: dependencies not met, or its array has
  // max_running tasks running (array_running_, as of this Dispatch).
  bool Held(const ActiveJob& active) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Orders the queue, starts the queued jobs that fit, in order, backfills
  // behind the first that does not (Backfill), then PublishQueue.
  void Dispatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // EASY backfill (backfill.h) of queue_[from...] behind a blocked job of
  // `head_ranks`.
  void Backfill(size_t from, int head_ranks) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The ACTIVE pools with their jobs' expected ends, for Reserve.
  std::vector<PoolLoad> Loads() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Assigns queue_[index] the allocation and sends it to the pool.
  void Start(size_t index, Allocation allocation)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Pushes a snapshot to the watchers of each queued job whose QueueState
  // changed.
  void PublishQueue() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The job as clients see it: with its QueueState while QUEUED.
  v1::Job Snapshot(const ActiveJob& active) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The job `id`'s state: active, unsaved or stored. NotFound.
  absl::StatusOr<v1::JobState> StateOf(const std::string& id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The dependencies of `spec` not met yet; FailedPrecondition naming one
  // that never can be, NotFound for an unknown job.
  absl::StatusOr<std::vector<v1::Dependency>> Unmet(const v1::JobSpec& spec)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `changed` started running or ended: the queued jobs waiting for it
  // drop the dependencies it met and end CANCELLED for one it broke.
  void ResolveDependents(const v1::Job& changed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The job an earlier Submit of (owner, request_id) made, if it is known:
  // AlreadyExists if its spec is not `spec`.
  std::optional<absl::StatusOr<v1::Job>> Retried(const std::string& owner,
                                                 const std::string& request_id,
                                                 const v1::JobSpec& spec)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The active job `id` if it runs on `pool_id`, else nullptr.
  ActiveJob* JobOnPool(const std::string& id, absl::string_view pool_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status OnStarted(absl::string_view pool_id,
                         const v1::PoolMessage::JobStarted& started)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status OnFinished(absl::string_view pool_id,
                          const v1::PoolMessage::JobFinished& finished)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<v1::Pool> DrainLocked(absl::string_view pool_id, bool detach,
                                       std::string reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends Detach to a DETACHING pool that has become idle.
  void DetachIfIdle(AttachedPool& pool) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Releases `ranks` of the pool and detaches it if that made it idle.
  void Release(absl::string_view pool_id, const std::vector<int32_t>& ranks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  v1::Pool Listed(absl::string_view pool_id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status OnLogs(absl::string_view pool_id,
                      const v1::PoolMessage::JobLogs& logs)
      ABSL_LOCKS_EXCLUDED(mu_);

  const SchedulerOptions options_;
  ChangeSignal changes_;
  JobLog log_;

  mutable absl::Mutex mu_;
  PoolRegistry pools_ ABSL_GUARDED_BY(mu_);
  uint64_t next_job_ ABSL_GUARDED_BY(mu_) = 1;
  absl::flat_hash_map<std::string, ActiveJob> active_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  // Job array id: its tasks STARTING or RUNNING, kept by Dispatch.
  absl::flat_hash_map<std::string, int> array_running_ ABSL_GUARDED_BY(mu_);
  // (owner, request_id) -> job id, for Submit's retries.
  absl::flat_hash_map<std::pair<std::string, std::string>, std::string>
      requests_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Lingering> lingering_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t submitted_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<v1::JobState, uint64_t> ended_ ABSL_GUARDED_BY(mu_);
  DurationHistogram queue_wait_ ABSL_GUARDED_BY(mu_);
  DurationHistogram run_time_ ABSL_GUARDED_BY(mu_);
  // Ended jobs whose record could not be written (a full disk): Get answers
  // from here; CheckTimeouts writes them once the store takes writes again.
  std::map<std::string, v1::Job> unsaved_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_SCHEDULER_H_
