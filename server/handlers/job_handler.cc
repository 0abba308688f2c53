#include "server/handlers/job_handler.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache-store/module_digest.h"
#include "server/handlers/api_limits.h"
#include "server/handlers/job_array.h"
#include "server/handlers/job_dependencies.h"
#include "server/handlers/module_handler.h"
#include "server/handlers/text_check.h"

namespace wasmhpc::server {
namespace {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
constexpr size_t kLogReadBytes = size_t{64} * 1024;

}  // namespace

// --- JobWatcher ------------------------------------------------------------

JobWatcher::JobWatcher(Scheduler* scheduler, std::string id,
                       std::shared_ptr<JobSubscription> subscription,
                       LogCursor cursor, bool states_only,
                       std::optional<uint64_t> log_end)
    : scheduler_(scheduler),
      id_(std::move(id)),
      subscription_(std::move(subscription)),
      states_only_(states_only),
      log_end_(log_end),
      cursor_(cursor) {}

JobWatcher::~JobWatcher() { scheduler_->Unsubscribe(id_, subscription_); }

absl::StatusOr<bool> JobWatcher::ReadLog() {
  if (states_only_) return false;
  if (log_end_ && cursor_.data_offset >= *log_end_) return false;
  absl::StatusOr<std::vector<v1::LogChunk>> chunks =
      scheduler_->log().Read(id_, &cursor_, kLogReadBytes);
  if (!chunks.ok()) return chunks.status();
  for (v1::LogChunk& chunk : *chunks) {
    if (log_end_ && chunk.offset() >= *log_end_) break;  // Written later.
    if (log_end_ && chunk.offset() + chunk.data().size() > *log_end_) {
      chunk.mutable_data()->resize(*log_end_ - chunk.offset());
    }
    pending_logs_.push_back(std::move(chunk));
  }
  return !chunks->empty();
}

absl::StatusOr<JobWatcher::Step> JobWatcher::Next(absl::Duration max_wait,
                                                  v1::JobEvent* event) {
  const absl::Time deadline = absl::Now() + max_wait;
  auto deliver_job = [&](v1::Job job) {
    ended_ = IsFinal(job.state());
    *event->mutable_job() = std::move(job);
    pending_job_.reset();
    return Step::kEvent;
  };
  while (true) {
    const uint64_t seen = scheduler_->changes().count();
    if (!pending_job_) pending_job_ = subscription_->Pop();
    if (!sent_first_) {
      sent_first_ = true;  // Subscribe put the job as it was first.
      return deliver_job(*std::move(pending_job_));
    }
    // A state change before the log that follows it; the final one after
    // the whole log.
    if (pending_job_ && !IsFinal(pending_job_->state())) {
      return deliver_job(*std::move(pending_job_));
    }
    if (pending_logs_.empty()) {
      absl::StatusOr<bool> read = ReadLog();
      if (!read.ok()) return read.status();
    }
    if (!pending_logs_.empty()) {
      *event->mutable_log() = std::move(pending_logs_.front());
      pending_logs_.pop_front();
      return Step::kEvent;
    }
    if (pending_job_) return deliver_job(*std::move(pending_job_));
    if (ended_ || log_end_) return Step::kDone;
    if (scheduler_->shutting_down()) {
      return absl::UnavailableError("the head is shutting down");
    }
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return Step::kIdle;
    scheduler_->changes().WaitPast(seen, left);
  }
}

// --- JobHandler ------------------------------------------------------------

JobHandler::JobHandler(JobHandlerOptions options)
    : options_(std::move(options)) {}

namespace {

absl::Status CheckRequestId(absl::string_view id) {
  const bool ok = id.size() <= kMaxRequestIdBytes &&
                  std::all_of(id.begin(), id.end(), [](char c) {
                    return absl::ascii_isalnum(c) || c == '.' || c == '_' ||
                           c == ':' || c == '-';
                  });
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("request_id must be at most ", kMaxRequestIdBytes,
                   " characters of A-Z a-z 0-9 . _ : - (a UUID will do)"));
}

// A name and labels to find jobs by, bounded as a job's.
absl::Status CheckFilter(
    absl::string_view name,
    const google::protobuf::Map<std::string, std::string>& labels) {
  if (absl::Status s = CheckName("the job name", name, kMaxNameBytes);
      !s.ok()) {
    return s;
  }
  return CheckLabels("a filter", labels);
}

// Whether the job is one `request` lists.
bool Matches(const v1::ListJobsRequest& request, const v1::Job& job) {
  if (!request.states().empty() &&
      std::find(request.states().begin(), request.states().end(),
                job.state()) == request.states().end()) {
    return false;
  }
  if (!request.name().empty() && job.spec().name() != request.name()) {
    return false;
  }
  if (!request.array_id().empty() && job.array_id() != request.array_id()) {
    return false;
  }
  for (const auto& [key, value] : request.labels()) {
    auto it = job.spec().labels().find(key);
    if (it == job.spec().labels().end() || it->second != value) return false;
  }
  return true;
}

}  // namespace

absl::Status JobHandler::CheckPriority(int32_t priority,
                                       const Caller& caller) const {
  if (caller.Has(Role::kAdmin) || priority <= options_.max_user_priority) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "priority ", priority, " is above the ", options_.max_user_priority,
      " a user may ask on this head (wasmhpc-head --max-user-priority); ask ",
      options_.max_user_priority, " or less, or an admin"));
}

absl::Status JobHandler::Validate(const v1::SubmitJobRequest& request) const {
  const v1::JobSpec& spec = request.spec();
  if (size_t bytes = spec.ByteSizeLong(); bytes > kMaxJobSpecBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the job spec is ", bytes, " bytes, more than the ", kMaxJobSpecBytes,
        " bytes a job may have (args, env, dirs and labels together); pass "
        "large inputs in a file of a preopened dir"));
  }
  if (absl::Status s = CheckUtf8Fields(spec); !s.ok()) return s;
  if (absl::Status s = CheckName("the job name", spec.name(), kMaxNameBytes);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckLabels("a job", spec.labels()); !s.ok()) return s;
  if (absl::Status s = CheckDependencies(spec); !s.ok()) return s;
  if (absl::Status s = CheckArray(spec); !s.ok()) return s;
  if (absl::Status s = CheckRequestId(request.request_id()); !s.ok()) return s;
  if (spec.priority() < -kMaxPriority || spec.priority() > kMaxPriority) {
    return absl::InvalidArgumentError(
        absl::StrCat("priority must be in -", kMaxPriority, "..", kMaxPriority,
                     " (got ", spec.priority(), ")"));
  }
  if (spec.ranks() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("ranks must be at least 1 (got ", spec.ranks(), ")"));
  }
  if (!IsValidDigest(spec.module_digest())) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed module digest '", spec.module_digest(),
                     "' (expected sha256:<64 hex digits>)"));
  }
  absl::StatusOr<bool> known = options_.store->HasModule(spec.module_digest());
  if (!known.ok()) return known.status();
  if (!*known) {
    return absl::NotFoundError(
        absl::StrCat("no module ", spec.module_digest(), " (upload it first)"));
  }
  if (absl::Status s =
          CheckModuleRunnable(*options_.store, spec.module_digest());
      !s.ok()) {
    return s;
  }
  if (spec.timeout().seconds() < 0 || spec.timeout().nanos() < 0) {
    return absl::InvalidArgumentError("timeout must not be negative");
  }
  for (const auto& [name, value] : spec.env()) {
    if (name.empty() || absl::StrContains(name, '=') ||
        absl::StrContains(name, '\0')) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad environment variable name '", name, "'"));
    }
  }
  for (const v1::Dir& dir : spec.dirs()) {
    if (absl::Status s = options_.allowed_dirs.Check(dir.host_path());
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Job> JobHandler::Submit(const v1::SubmitJobRequest& request,
                                           const Caller& caller) {
  if (absl::Status s = Validate(request); !s.ok()) return s;
  const v1::JobSpec& spec = request.spec();
  if (absl::Status s = CheckPriority(spec.priority(), caller); !s.ok()) {
    return s;
  }
  for (const v1::Dependency& d : spec.dependencies()) {
    // Only jobs the caller may see (another user's answer "no job").
    if (absl::Status s = Get(d.job_id(), caller).status(); !s.ok()) return s;
  }
  // The job keeps the resolved paths: what was checked is what is opened.
  v1::JobSpec resolved = spec;
  for (v1::Dir& dir : *resolved.mutable_dirs()) {
    absl::StatusOr<std::string> path =
        options_.allowed_dirs.Resolve(dir.host_path());
    if (!path.ok()) return path.status();
    if (dir.guest_path().empty()) dir.set_guest_path(dir.host_path());
    dir.set_host_path(*std::move(path));
  }
  return options_.scheduler->Submit(
      resolved, ModuleName(*options_.store, spec.module_digest()), caller.name,
      request.request_id());
}

absl::StatusOr<v1::Job> JobHandler::Get(absl::string_view id,
                                        const Caller& caller) const {
  absl::StatusOr<v1::Job> job = options_.scheduler->Get(id);
  if (!job.ok()) return job.status();
  if (absl::Status s = PermitJob(caller, job->owner(), id); !s.ok()) return s;
  return job;
}

absl::StatusOr<v1::Job> JobHandler::Cancel(absl::string_view id,
                                           const Caller& caller, bool array) {
  absl::StatusOr<v1::Job> job = Get(id, caller);
  if (!job.ok()) return job.status();
  if (!array) return options_.scheduler->Cancel(id);
  if (job->array_id().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(id, " is not a task of a job array"));
  }
  options_.scheduler->CancelArray(job->array_id());
  return Get(id, caller);
}

absl::StatusOr<v1::ListJobsResponse> JobHandler::List(
    const v1::ListJobsRequest& request, const Caller& caller) const {
  if (request.page_size() < 0) {
    return absl::InvalidArgumentError("page_size must not be negative");
  }
  if (absl::Status s = CheckFilter(request.name(), request.labels()); !s.ok()) {
    return s;
  }
  const size_t page_size = request.page_size() == 0
                               ? kDefaultPageSize
                               : std::min(request.page_size(), kMaxPageSize);
  std::string after = request.page_token();
  auto next_records = [&](size_t limit) {
    return request.oldest_first()
               ? options_.store->ListJobs(after, limit)
               : options_.store->ListJobsBefore(after, limit);
  };
  v1::ListJobsResponse response;
  size_t bytes = 0;
  bool full = false;  // kMaxListPageBytes reached
  bool more = true;
  while (more && !full &&
         static_cast<size_t>(response.jobs_size()) < page_size) {
    absl::StatusOr<std::vector<JobRecord>> records = next_records(page_size);
    if (!records.ok()) return records.status();
    more = records->size() == page_size;
    for (const JobRecord& record : *records) {
      v1::Job job;
      const bool shown = job.ParseFromString(record.record) &&
                         (caller.SeesAllJobs() || job.owner() == caller.name) &&
                         Matches(request, job);
      if (shown && response.jobs_size() > 0 &&
          bytes + record.record.size() > kMaxListPageBytes) {
        full = true;
        break;
      }
      after = record.job_id;
      if (!shown) continue;
      bytes += record.record.size();
      *response.add_jobs() = std::move(job);
      if (static_cast<size_t>(response.jobs_size()) == page_size) break;
    }
  }
  if (full || static_cast<size_t>(response.jobs_size()) == page_size) {
    // Another page exists unless no job record follows.
    absl::StatusOr<std::vector<JobRecord>> next = next_records(1);
    if (next.ok() && !next->empty()) {
      response.set_next_page_token(after);
    }
  }
  return response;
}

absl::StatusOr<v1::PruneJobsResponse> JobHandler::Prune(
    const v1::PruneJobsRequest& request, const Caller& caller) {
  const google::protobuf::Duration& older = request.older_than();
  if (older.seconds() < 0 || older.nanos() < 0) {
    return absl::InvalidArgumentError("older_than must not be negative");
  }
  if (absl::Status s = CheckFilter(request.name(), request.labels()); !s.ok()) {
    return s;
  }
  v1::ListJobsRequest filter;
  filter.set_name(request.name());
  *filter.mutable_labels() = request.labels();
  v1::PruneJobsResponse response;
  int64_t deleted = 0;
  absl::Status s = options_.scheduler->DeleteEnded(
      absl::Seconds(older.seconds()) + absl::Nanoseconds(older.nanos()),
      [&](const v1::Job& job) {
        return (caller.SeesAllJobs() || job.owner() == caller.name) &&
               Matches(filter, job);
      },
      &deleted);
  if (!s.ok()) return s;
  response.set_deleted(deleted);
  return response;
}

absl::StatusOr<std::unique_ptr<JobWatcher>> JobHandler::Watch(
    const v1::WatchJobRequest& request, const Caller& caller) {
  if (absl::Status s = Get(request.id(), caller).status(); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<JobSubscription>> subscription =
      options_.scheduler->Subscribe(request.id());
  if (!subscription.ok()) return subscription.status();
  LogCursor cursor;
  if (!request.states_only()) {
    absl::StatusOr<LogCursor> seek =
        options_.scheduler->log().Seek(request.id(), request.log_offset());
    if (!seek.ok()) {
      options_.scheduler->Unsubscribe(request.id(), *subscription);
      return seek.status();
    }
    cursor = *seek;
  }
  std::optional<uint64_t> log_end;
  if (request.no_follow()) {
    absl::StatusOr<uint64_t> size =
        options_.scheduler->log().Size(request.id());
    if (!size.ok()) {
      options_.scheduler->Unsubscribe(request.id(), *subscription);
      return size.status();
    }
    log_end = *size;
  }
  return std::unique_ptr<JobWatcher>(
      new JobWatcher(options_.scheduler, request.id(), *std::move(subscription),
                     cursor, request.states_only(), log_end));
}

}  // namespace wasmhpc::server
