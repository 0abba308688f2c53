// JobHandler: the head's job operations (submit, get, list, cancel, watch),
// free of any transport; the gRPC JobService and the REST router call it.
//
// Submit validates what is the head's business before the job is queued:
//   ranks <= 0                         InvalidArgument
//   malformed digest                   InvalidArgument
//   no module under the digest         NotFound "no module sha256:... ..."
//   negative timeout, bad env name     InvalidArgument
//   bad name, labels or request_id     InvalidArgument (api_limits.h)
//   a dependency on an unknown job     NotFound (or another user's)
//   one that can never be met          FailedPrecondition (Scheduler)
//   a dir outside --allow-dir          PermissionDenied (AllowedDirs)
//   priority outside -1000..1000       InvalidArgument (api_limits.h)
//   priority above the user's allowance PermissionDenied (not for admins)
//   a spec over kMaxJobSpecBytes       InvalidArgument
//   too many jobs of one owner         ResourceExhausted (Scheduler)
//   more ranks than any attached pool  FailedPrecondition (Scheduler)
// A refused job gets no id and no record.
//
// Job records live in the store's record space under job ids
// ("job-00000042", see scheduler.h); List reads them from there, so ended
// jobs of earlier heads are listed too.
//
// Access: every method takes the Caller; a user reaches only the jobs it
// submitted (Job.owner), others are NotFound as if they did not exist; an
// admin reaches all (caller.h).
//
// Thread safety: all methods may be called from any thread. A JobWatcher is
// used by one thread at a time.
#ifndef WASMHPC_SERVER_HANDLERS_JOB_HANDLER_H_
#define WASMHPC_SERVER_HANDLERS_JOB_HANDLER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cache-store/cache_store.h"
#include "server/handlers/allowed_dirs.h"
#include "server/handlers/caller.h"
#include "server/handlers/job_log.h"
#include "server/handlers/scheduler.h"
#include "wasmhpc/v1/jobs.pb.h"

namespace wasmhpc::server {

// Follows one job for Watch: first the job as it is, then its log from the
// requested offset and every state change, until the job has ended and its
// log is drained. Unsubscribes when destroyed.
//
// Ordering: log chunks come in log order. A state change is delivered before
// the log that follows it, except the final state, which comes after the
// whole log (pools send a job's output before its Finished).
//
// No-follow watches (WatchJobRequest.no_follow) end once the log written
// before the watch began has been delivered, whether or not the job ended.
class JobWatcher {
 public:
  enum class Step {
    kEvent,  // *event is set.
    kIdle,   // Nothing new within max_wait; call again.
    kDone,   // The job has ended and every event was delivered.
  };

  ~JobWatcher();

  // The next event, waiting up to `max_wait` (real time) for one. Errors:
  // Unavailable when the head shuts down; the log's read errors.
  absl::StatusOr<Step> Next(absl::Duration max_wait, v1::JobEvent* event);

 private:
  friend class JobHandler;
  // `log_end`: for a no-follow watch, the log's size when it began.
  JobWatcher(Scheduler* scheduler, std::string id,
             std::shared_ptr<JobSubscription> subscription, LogCursor cursor,
             bool states_only, std::optional<uint64_t> log_end);
  // Fills `pending_logs_` from the log; false when nothing is new.
  absl::StatusOr<bool> ReadLog();

  Scheduler* const scheduler_;
  const std::string id_;
  const std::shared_ptr<JobSubscription> subscription_;
  const bool states_only_;
  const std::optional<uint64_t> log_end_;  // Set: no-follow.
  LogCursor cursor_;
  std::deque<v1::LogChunk> pending_logs_;
  std::optional<v1::Job> pending_job_;  // Popped, not delivered yet.
  bool sent_first_ = false;
  bool ended_ = false;  // The final state was delivered.
};

struct JobHandlerOptions {
  // Queue and job state. REQUIRED; not owned.
  Scheduler* scheduler = nullptr;
  // Where modules and job records live. REQUIRED; not owned.
  CacheStore* store = nullptr;
  // Host directories jobs may preopen. Default: none.
  AllowedDirs allowed_dirs;
  // The highest JobSpec.priority a caller without the admin role may ask
  // (wasmhpc-head --max-user-priority); an admin may ask kMaxPriority.
  int32_t max_user_priority = 0;
};

class JobHandler {
 public:
  // REQUIRES: options.scheduler and options.store set; both outlive this.
  explicit JobHandler(JobHandlerOptions options);

  // Validates (see above) and queues. Returns the job as queued (or already
  // STARTING when a pool had room), or the job of an earlier submit with
  // the same request_id (Scheduler::Submit).
  absl::StatusOr<v1::Job> Submit(const v1::SubmitJobRequest& request,
                                 const Caller& caller);
  // The same without a request_id.
  absl::StatusOr<v1::Job> Submit(const v1::JobSpec& spec,
                                 const Caller& caller) {
    v1::SubmitJobRequest request;
    *request.mutable_spec() = spec;
    return Submit(request, caller);
  }

  // NotFound "no job <id>".
  absl::StatusOr<v1::Job> Get(absl::string_view id, const Caller& caller) const;

  // Newest first (oldest first if asked), only those matching the request's
  // states, name and labels, and only the caller's own unless it is an
  // admin; page_size 0 means 100, at most 1000; a page also ends before it
  // grows past kMaxListPageBytes; page_token is the last id of the previous
  // page.
  absl::StatusOr<v1::ListJobsResponse> List(const v1::ListJobsRequest& request,
                                            const Caller& caller) const;

  // See Scheduler::Cancel. Idempotent. With `array`, every task not ended
  // of the job array `id` belongs to (InvalidArgument when it is not a
  // task); returns `id` as it is then.
  absl::StatusOr<v1::Job> Cancel(absl::string_view id, const Caller& caller,
                                 bool array = false);

  // NotFound for an unknown job; OutOfRange for a log offset past the end of
  // the job's log.
  absl::StatusOr<std::unique_ptr<JobWatcher>> Watch(
      const v1::WatchJobRequest& request, const Caller& caller);

  // Deletes the caller's ended jobs (an admin's: everyone's) that match the
  // request, with their logs. InvalidArgument for a negative older_than or
  // bad name or labels; the store's errors.
  absl::StatusOr<v1::PruneJobsResponse> Prune(
      const v1::PruneJobsRequest& request, const Caller& caller);

 private:
  absl::Status Validate(const v1::SubmitJobRequest& request) const;
  // PermissionDenied for a priority above the caller's allowance.
  absl::Status CheckPriority(int32_t priority, const Caller& caller) const;

  JobHandlerOptions options_;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_JOB_HANDLER_H_
