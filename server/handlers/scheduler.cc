#include "server/handlers/scheduler.h"

#include <algorithm>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "server/handlers/job_array.h"

namespace wasmhpc::server {
namespace {

std::string DefaultPoolPrefix() {
  absl::BitGen gen;
  return absl::StrFormat("pool-%04x", absl::Uniform<uint32_t>(gen, 0, 0x10000));
}

// The sequence number of a job id made by this scheduler, or 0.
uint64_t JobSequence(absl::string_view id) {
  uint64_t n = 0;
  if (!absl::ConsumePrefix(&id, kJobIdPrefix)) return 0;
  return absl::SimpleAtoi(id, &n) ? n : 0;
}

// "rank 2: <trap>" / "rank 2 exited with code 3", from the rank's result.
std::string FailureReason(const v1::Job& job) {
  for (const v1::RankResult& result : job.ranks()) {
    if (result.rank() != job.failed_rank()) continue;
    if (!result.trap().empty()) {
      return absl::StrCat("rank ", result.rank(), " trapped: ", result.trap());
    }
    return absl::StrCat("rank ", result.rank(), " exited with code ",
                        result.exit_code());
  }
  return "failed";
}

// The job's exit code: the failing rank's, else the first non-zero one.
int32_t JobExitCode(const v1::Job& job) {
  for (const v1::RankResult& result : job.ranks()) {
    if (result.rank() == job.failed_rank()) return result.exit_code();
  }
  for (const v1::RankResult& result : job.ranks()) {
    if (result.exit_code() != 0) return result.exit_code();
  }
  return 0;
}

}  // namespace

bool IsFinal(v1::JobState state) {
  return state == v1::SUCCEEDED || state == v1::FAILED ||
         state == v1::CANCELLED || state == v1::TIMED_OUT;
}

std::optional<v1::Job> JobSubscription::Pop() {
  absl::MutexLock lock(&mu_);
  if (queue_.empty()) return std::nullopt;
  v1::Job job = std::move(queue_.front());
  queue_.pop_front();
  return job;
}

void JobSubscription::Push(const v1::Job& job) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(job);
}

Scheduler::Scheduler(SchedulerOptions options)
    : options_(std::move(options)),
      log_(options_.store, &changes_),
      pools_(options_.pool_id_prefix.empty() ? DefaultPoolPrefix()
                                             : options_.pool_id_prefix) {}

absl::StatusOr<std::unique_ptr<Scheduler>> Scheduler::Create(
    SchedulerOptions options) {
  std::unique_ptr<Scheduler> scheduler(new Scheduler(std::move(options)));
  if (absl::Status s = scheduler->Reconcile(); !s.ok()) return s;
  return scheduler;
}

absl::Status Scheduler::Reconcile() {
  absl::StatusOr<std::vector<JobRecord>> records =
      options_.store->ListAllJobs();
  if (!records.ok()) return records.status();
  absl::MutexLock lock(&mu_);
  if (absl::Status s = LoadRecords(*records); !s.ok()) return s;
  // Dependencies of the queued jobs, against the records as reconciled.
  for (const std::string& id :
       std::vector<std::string>(queue_.begin(), queue_.end())) {
    auto it = active_.find(id);
    if (it == active_.end()) continue;  // Ended by an earlier one's chain.
    ActiveJob& active = it->second;
    absl::StatusOr<std::vector<v1::Dependency>> unmet =
        Unmet(active.job.spec());
    if (unmet.ok()) {
      active.waiting = *std::move(unmet);
    } else {
      End(id, v1::CANCELLED,
          absl::StrCat("dependency not met: ", unmet.status().message()));
    }
  }
  OrderQueue();
  return absl::OkStatus();
}

absl::Status Scheduler::LoadRecords(const std::vector<JobRecord>& records) {
  for (const JobRecord& record : records) {
    v1::Job job;
    if (!job.ParseFromString(record.record) || job.id() != record.job_id) {
      EmitLog(options_.log,
              absl::StrCat("skipping unreadable job record ", record.job_id));
      continue;
    }
    next_job_ = std::max(next_job_, JobSequence(job.id()) + 1);
    if (!job.request_id().empty()) {
      requests_[{job.owner(), job.request_id()}] = job.id();
    }
    if (job.state() == v1::QUEUED) {
      queue_.push_back(job.id());
      active_[job.id()].job = std::move(job);
    } else if (job.state() == v1::STARTING || job.state() == v1::RUNNING) {
      job.set_state(v1::FAILED);
      job.set_reason("head restarted");
      job.set_failed_rank(-1);
      *job.mutable_finished() = ToProto(options_.clock->Now());
      if (absl::Status s =
              options_.store->PutJob(job.id(), job.SerializeAsString());
          !s.ok()) {
        // On a full disk the head starts anyway; a later start fixes it.
        if (!absl::IsResourceExhausted(s)) return s;
        EmitLog(options_.log, absl::StrCat("could not mark ", job.id(),
                                           " failed: ", s.message()));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Scheduler::Save(ActiveJob& job) {
  absl::Status status =
      options_.store->PutJob(job.job.id(), job.job.SerializeAsString());
  if (!status.ok()) {
    EmitLog(options_.log, absl::StrCat("could not write the record of ",
                                       job.job.id(), ": ", status.message()));
  }
  if (job.job.state() != job.logged) Transition(job);
  if (!job.watchers.empty()) {
    v1::Job snapshot = Snapshot(job);
    job.published_queue = snapshot.queue();
    for (const auto& watcher : job.watchers) watcher->Push(snapshot);
  }
  changes_.Notify();
  return status;
}

namespace {

// "0s", "1.5s", "2m3s": to the millisecond.
std::string Took(absl::Duration d) {
  d = absl::Trunc(d, absl::Milliseconds(1));
  return d == absl::ZeroDuration() ? "0s" : absl::FormatDuration(d);
}

}  // namespace

void Scheduler::Transition(ActiveJob& active) {
  const v1::Job& job = active.job;
  active.logged = job.state();
  std::string line =
      absl::StrCat("job ", job.id(), " ", v1::JobState_Name(job.state()));
  switch (job.state()) {
    case v1::QUEUED:
      absl::StrAppend(&line, ": ", job.spec().ranks(), " ranks of ",
                      job.module_name(), " for ", job.owner());
      if (!job.array_id().empty()) {
        absl::StrAppend(&line, ", task ", job.array_index(), " of array ",
                        job.array_id());
      }
      break;
    case v1::STARTING: {
      const absl::Duration waited =
          options_.clock->Now() - FromProto(job.submitted());
      queue_wait_.Add(waited);
      absl::StrAppend(&line, " on ", job.pool_id(), " after ", Took(waited),
                      " queued");
      break;
    }
    case v1::RUNNING:
      break;
    default: {  // Ended.
      if (job.has_started()) {
        const absl::Duration ran =
            FromProto(job.finished()) - FromProto(job.started());
        run_time_.Add(ran);
        absl::StrAppend(&line, ", exit code ", job.exit_code(), " after ",
                        Took(ran));
      }
      if (!job.reason().empty()) absl::StrAppend(&line, ": ", job.reason());
    }
  }
  EmitLog(options_.log, line);
}

void Scheduler::End(const std::string& id, v1::JobState state,
                    std::string reason) {
  auto it = active_.find(id);
  if (it == active_.end()) return;
  ActiveJob& active = it->second;
  v1::Job& job = active.job;
  job.set_state(state);
  job.set_reason(std::move(reason));
  *job.mutable_finished() = ToProto(options_.clock->Now());
  if (state == v1::SUCCEEDED) job.set_failed_rank(-1);
  if (!Save(active).ok()) unsaved_[id] = job;  // Logged by Save.
  ++ended_[state];
  if (!active.pool_ranks.empty()) Release(job.pool_id(), active.pool_ranks);
  queue_.erase(std::remove(queue_.begin(), queue_.end(), id), queue_.end());
  log_.Forget(id);
  const v1::Job ended = std::move(job);
  active_.erase(it);
  ResolveDependents(ended);
}

void Scheduler::AskStop(ActiveJob& active, v1::JobState state,
                        std::string reason) {
  active.stop_state = state;
  active.stop_reason = reason;
  active.stop_asked = options_.clock->Now();
  const AttachedPool* pool = pools_.Find(active.job.pool_id());
  if (pool == nullptr) return;
  v1::HeadMessage message;
  message.mutable_cancel()->set_job_id(active.job.id());
  message.mutable_cancel()->set_reason(std::move(reason));
  pool->sink->Send(message);
}

absl::StatusOr<v1::Job> Scheduler::Submit(const v1::JobSpec& spec,
                                          std::string module_name,
                                          std::string owner,
                                          std::string request_id) {
  absl::MutexLock lock(&mu_);
  if (shutting_down_)
    return absl::UnavailableError("the head is shutting down");
  if (auto earlier = Retried(owner, request_id, spec)) return *earlier;
  const std::vector<int32_t> indices = ArrayIndices(spec);  // {} if none
  const size_t count = std::max<size_t>(indices.size(), 1);
  if (absl::Status s = CheckQueueQuota(owner, count); !s.ok()) return s;
  absl::StatusOr<std::vector<v1::Dependency>> unmet = Unmet(spec);
  if (!unmet.ok()) return unmet.status();
  int largest = pools_.LargestPool();
  if (spec.ranks() > largest) {
    return absl::FailedPreconditionError(
        largest > 0 ? absl::StrCat("job asks ", spec.ranks(),
                                   " ranks; the largest pool has ", largest,
                                   " executor ranks")
        : pools_.Attached() > 0
            ? absl::StrCat("job asks ", spec.ranks(),
                           " ranks; every attached worker pool is leaving")
            : absl::StrCat("job asks ", spec.ranks(),
                           " ranks; no worker pool is attached"));
  }
  std::vector<std::string> ids;  // One per task; saved.
  for (size_t i = 0; i < count; ++i) {
    std::string id =
        absl::StrFormat("%s%08d", std::string(kJobIdPrefix), next_job_++);
    ActiveJob& active = active_[id];
    active.job.set_id(id);
    *active.job.mutable_spec() = spec;
    active.job.set_module_name(module_name.empty() ? spec.module_digest()
                                                   : module_name);
    active.job.set_owner(owner);
    if (i == 0) active.job.set_request_id(request_id);
    if (!indices.empty()) {
      active.job.set_array_id(ids.empty() ? id : ids.front());
      active.job.set_array_index(indices[i]);
    }
    active.job.set_state(v1::QUEUED);
    active.job.set_failed_rank(-1);
    *active.job.mutable_submitted() = ToProto(options_.clock->Now());
    if (absl::Status s = Save(active); !s.ok()) {
      active_.erase(id);
      for (const std::string& saved : ids) {  // All or nothing.
        options_.store->DeleteJob(saved).IgnoreError();
        active_.erase(saved);
      }
      return s;
    }
    active.waiting = *unmet;
    ids.push_back(id);
  }
  if (!request_id.empty()) requests_[{owner, request_id}] = ids.front();
  queue_.insert(queue_.end(), ids.begin(), ids.end());
  submitted_ += ids.size();
  Dispatch();
  return Snapshot(active_.at(ids.front()));  // Dispatch never ends a job.
}

absl::Status Scheduler::CheckQueueQuota(absl::string_view owner,
                                        size_t more) const {
  if (options_.max_active_jobs_per_owner <= 0) return absl::OkStatus();
  int64_t active = 0;
  for (const auto& [id, job] : active_) active += job.job.owner() == owner;
  if (active + static_cast<int64_t>(more) <=
      options_.max_active_jobs_per_owner) {
    return absl::OkStatus();
  }
  if (more > 1) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "'", owner, "' has ", active, " jobs queued or running; ", more,
        " more would pass ", options_.max_active_jobs_per_owner,
        ", the most one submitter may have (the head's --max-jobs-per-user); "
        "submit a smaller array or wait for some to end"));
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "'", owner, "' has ", active,
      " jobs queued or running, the most one "
      "submitter may have (the head's --max-jobs-per-user); wait for some "
      "to end or cancel them"));
}

absl::StatusOr<v1::Job> Scheduler::Get(absl::string_view id) const {
  {
    absl::MutexLock lock(&mu_);
    auto it = active_.find(std::string(id));
    if (it != active_.end()) return Snapshot(it->second);
    auto unsaved = unsaved_.find(std::string(id));
    if (unsaved != unsaved_.end()) return unsaved->second;
  }
  return LoadRecord(id);
}

absl::StatusOr<v1::Job> Scheduler::LoadRecord(absl::string_view id) const {
  if (!absl::StartsWith(id, kJobIdPrefix)) {
    return absl::NotFoundError(absl::StrCat("no job ", id));
  }
  absl::StatusOr<std::string> record = options_.store->GetJob(id);
  if (!record.ok() && absl::IsNotFound(record.status())) {
    return absl::NotFoundError(absl::StrCat("no job ", id));
  }
  if (!record.ok()) return record.status();
  v1::Job job;
  if (!job.ParseFromString(*record)) {
    return absl::DataLossError(
        absl::StrCat("record of ", id, " is unreadable"));
  }
  return job;
}

absl::StatusOr<v1::Job> Scheduler::Cancel(absl::string_view id) {
  absl::MutexLock lock(&mu_);
  const bool queued = CancelLocked(std::string(id));
  if (queued) Dispatch();
  auto it = active_.find(std::string(id));
  return it == active_.end() ? LoadRecord(id) : Snapshot(it->second);
}

int Scheduler::CancelArray(absl::string_view array_id) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> tasks;
  for (const auto& [id, active] : active_) {
    if (active.job.array_id() == array_id) tasks.push_back(id);
  }
  bool queued = false;
  for (const std::string& id : tasks) queued |= CancelLocked(id);
  if (queued) Dispatch();
  return static_cast<int>(tasks.size());
}

bool Scheduler::CancelLocked(const std::string& id) {
  auto it = active_.find(id);
  if (it == active_.end()) return false;  // Ended, or unknown.
  ActiveJob& active = it->second;
  if (active.job.state() == v1::QUEUED) {
    End(id, v1::CANCELLED, "cancelled by user");
    return true;
  }
  if (!active.stop_state) AskStop(active, v1::CANCELLED, "cancelled by user");
  return false;
}

absl::StatusOr<std::shared_ptr<JobSubscription>> Scheduler::Subscribe(
    absl::string_view id) {
  auto subscription = std::make_shared<JobSubscription>();
  {
    absl::MutexLock lock(&mu_);
    auto it = active_.find(std::string(id));
    if (it != active_.end()) {
      subscription->Push(Snapshot(it->second));
      it->second.watchers.push_back(subscription);
      return subscription;
    }
  }
  // Not active: ended (its record is final) or unknown.
  absl::StatusOr<v1::Job> job = LoadRecord(id);
  if (!job.ok()) return job.status();
  subscription->Push(*job);
  return subscription;
}

void Scheduler::Unsubscribe(
    absl::string_view id,
    const std::shared_ptr<JobSubscription>& subscription) {
  absl::MutexLock lock(&mu_);
  auto it = active_.find(std::string(id));
  if (it == active_.end()) return;
  auto& watchers = it->second.watchers;
  watchers.erase(std::remove(watchers.begin(), watchers.end(), subscription),
                 watchers.end());
}

absl::StatusOr<std::string> Scheduler::AttachPool(
    const v1::PoolMessage::Hello& hello, PoolSink* sink) {
  absl::MutexLock lock(&mu_);
  if (shutting_down_)
    return absl::UnavailableError("the head is shutting down");
  absl::StatusOr<const AttachedPool*> pool =
      pools_.Add(hello, sink, options_.clock->Now());
  if (!pool.ok()) return pool.status();
  std::string id = (*pool)->id;
  EmitLog(options_.log,
          absl::StrCat("pool ", id, " (", hello.name(), ") attached with ",
                       (*pool)->executors.size(), " executor ranks"));
  v1::HeadMessage welcome;
  welcome.mutable_welcome()->set_pool_id(id);
  sink->Send(welcome);
  Dispatch();
  changes_.Notify();
  return id;
}

Scheduler::ActiveJob* Scheduler::JobOnPool(const std::string& id,
                                           absl::string_view pool_id) {
  auto it = active_.find(id);
  if (it == active_.end() || it->second.job.pool_id() != pool_id ||
      it->second.job.state() == v1::QUEUED) {
    return nullptr;
  }
  return &it->second;
}

absl::Status Scheduler::HandlePoolMessage(absl::string_view pool_id,
                                          const v1::PoolMessage& message) {
  if (message.has_logs()) return OnLogs(pool_id, message.logs());
  absl::MutexLock lock(&mu_);
  if (pools_.Find(pool_id) == nullptr) {
    return absl::NotFoundError(absl::StrCat("no pool ", pool_id));
  }
  switch (message.message_case()) {
    case v1::PoolMessage::kStarted:
      return OnStarted(pool_id, message.started());
    case v1::PoolMessage::kFinished:
      return OnFinished(pool_id, message.finished());
    case v1::PoolMessage::kDrain:
      return DrainLocked(pool_id, /*detach=*/true,
                         message.drain().reason().empty()
                             ? "the pool asked to leave"
                             : message.drain().reason())
          .status();
    case v1::PoolMessage::kHello:
      return absl::InvalidArgumentError("a pool says hello only once");
    default:
      return absl::InvalidArgumentError("empty pool message");
  }
}

absl::Status Scheduler::OnStarted(absl::string_view pool_id,
                                  const v1::PoolMessage::JobStarted& started) {
  ActiveJob* active = JobOnPool(started.job_id(), pool_id);
  if (active == nullptr) {
    return absl::NotFoundError(absl::StrCat("pool ", pool_id, " started ",
                                            started.job_id(), ", not its job"));
  }
  if (active->job.state() != v1::STARTING) {
    return absl::FailedPreconditionError(
        absl::StrCat(started.job_id(), " already started"));
  }
  active->job.set_state(v1::RUNNING);
  *active->job.mutable_started() = ToProto(options_.clock->Now());
  absl::Status saved = Save(*active);
  ResolveDependents(active->job);
  Dispatch();
  return saved;
}

absl::Status Scheduler::OnFinished(
    absl::string_view pool_id, const v1::PoolMessage::JobFinished& finished) {
  const std::string& id = finished.job_id();
  ActiveJob* active = JobOnPool(id, pool_id);
  if (active == nullptr) {
    auto lingering = lingering_.find(id);
    if (lingering == lingering_.end() || lingering->second.pool_id != pool_id) {
      return absl::NotFoundError(
          absl::StrCat("pool ", pool_id, " finished ", id, ", not its job"));
    }
    Release(pool_id, lingering->second.ranks);
    lingering_.erase(lingering);
    Dispatch();
    return absl::OkStatus();
  }
  if (finished.not_run() && !active->stop_state &&
      active->job.state() == v1::STARTING) {
    Requeue(*active, finished.reason());
    return absl::OkStatus();
  }
  v1::Job& job = active->job;
  *job.mutable_ranks() = finished.ranks();
  v1::JobState state = finished.state();
  std::string reason = finished.reason();
  if (!IsFinal(state)) {
    state = v1::FAILED;
    reason = absl::StrCat("pool reported the job finished in state ",
                          v1::JobState_Name(finished.state()));
  }
  // A cancel or timeout that raced the job's end leaves a success alone; a
  // head-side failure (its output could not be stored) does not: the job
  // did not deliver what it printed.
  if (active->stop_state &&
      (state != v1::SUCCEEDED || *active->stop_state == v1::FAILED)) {
    state = *active->stop_state;
    reason = active->stop_reason;
    job.set_failed_rank(-1);
  } else if (state != v1::SUCCEEDED) {
    job.set_failed_rank(finished.failed_rank());
    if (reason.empty()) reason = FailureReason(job);
  }
  job.set_exit_code(state == v1::SUCCEEDED ? 0 : JobExitCode(job));
  End(id, state, std::move(reason));
  Dispatch();
  return absl::OkStatus();
}

void Scheduler::Requeue(ActiveJob& active, const std::string& why) {
  v1::Job& job = active.job;
  EmitLog(options_.log,
          absl::StrCat("pool ", job.pool_id(), " gave back ", job.id(),
                       " before it ran (", why, "); queued again"));
  Release(job.pool_id(), active.pool_ranks);
  active.pool_ranks.clear();
  job.clear_pool_id();
  job.set_state(v1::QUEUED);
  Save(active).IgnoreError();   // Logged by Save; the job is queued anyway.
  queue_.push_front(job.id());  // It was first in line.
  Dispatch();
}

absl::Status Scheduler::OnLogs(absl::string_view pool_id,
                               const v1::PoolMessage::JobLogs& logs) {
  {
    absl::MutexLock lock(&mu_);
    auto lingering = lingering_.find(logs.job_id());
    bool lingers =
        lingering != lingering_.end() && lingering->second.pool_id == pool_id;
    if (!lingers && JobOnPool(logs.job_id(), pool_id) == nullptr) {
      return absl::NotFoundError(absl::StrCat(
          "pool ", pool_id, " sent logs of ", logs.job_id(), ", not its job"));
    }
  }
  // One stream's messages arrive on one thread, so a job's appends stay in
  // order without holding mu_ across the writes. The whole batch is stored
  // as one piece (or a few), not one store record per chunk.
  absl::Status stored = log_.Append(logs.job_id(), logs.chunks()).status();
  if (!stored.ok()) {
    // A log that cannot be stored (the disk is full) fails its job rather
    // than run on with its output lost.
    absl::MutexLock lock(&mu_);
    ActiveJob* active = JobOnPool(logs.job_id(), pool_id);
    if (active != nullptr && !active->stop_state) {
      AskStop(
          *active, v1::FAILED,
          absl::StrCat("its output could not be stored: ", stored.message()));
    }
  }
  return stored;
}

void Scheduler::DetachPool(absl::string_view pool_id) {
  absl::MutexLock lock(&mu_);
  std::optional<AttachedPool> pool = pools_.Remove(pool_id);
  if (!pool) return;
  EmitLog(
      options_.log,
      absl::StrCat("pool ", pool_id, pool->detach_sent ? " detached" : " lost",
                   pool->reason.empty() ? "" : " (", pool->reason,
                   pool->reason.empty() ? "" : ")"));
  for (auto it = lingering_.begin(); it != lingering_.end();) {
    auto next = std::next(it);
    if (it->second.pool_id == pool_id) lingering_.erase(it);
    it = next;
  }
  if (shutting_down_) return;  // Records stay for the next head.
  std::vector<std::string> lost;
  for (const auto& [id, active] : active_) {
    if (active.job.pool_id() == pool_id && active.job.state() != v1::QUEUED) {
      lost.push_back(id);
    }
  }
  for (const std::string& id : lost) {
    ActiveJob& active = active_.at(id);
    active.pool_ranks.clear();  // The pool is gone; nothing to release.
    active.job.set_failed_rank(-1);
    End(id, active.stop_state.value_or(v1::FAILED),
        pool->state == v1::POOL_ACTIVE
            ? "worker pool lost"
            : absl::StrCat("worker pool lost while draining (", pool->reason,
                           ")"));
  }
  Dispatch();
  changes_.Notify();
}

void Scheduler::Release(absl::string_view pool_id,
                        const std::vector<int32_t>& ranks) {
  pools_.Release(pool_id, ranks);
  if (AttachedPool* pool = pools_.Find(pool_id)) DetachIfIdle(*pool);
}

void Scheduler::DetachIfIdle(AttachedPool& pool) {
  if (pool.state != v1::POOL_DETACHING || pool.detach_sent || !pool.idle()) {
    return;
  }
  pool.detach_sent = true;
  v1::HeadMessage message;
  message.mutable_detach()->set_reason(pool.reason);
  pool.sink->Send(message);
  EmitLog(options_.log, absl::StrCat("pool ", pool.id, " is idle: detaching"));
}

v1::Pool Scheduler::Listed(absl::string_view pool_id) const {
  for (v1::Pool& pool : pools_.List()) {
    if (pool.id() == pool_id) return pool;
  }
  return v1::Pool();
}

absl::StatusOr<v1::Pool> Scheduler::DrainPool(absl::string_view pool_id,
                                              bool detach, std::string reason) {
  absl::MutexLock lock(&mu_);
  return DrainLocked(pool_id, detach, std::move(reason));
}

absl::StatusOr<v1::Pool> Scheduler::DrainLocked(absl::string_view pool_id,
                                                bool detach,
                                                std::string reason) {
  AttachedPool* pool = pools_.Find(pool_id);
  if (pool == nullptr) {
    return absl::NotFoundError(absl::StrCat("no pool ", pool_id));
  }
  if (reason.empty()) reason = "drained by operator";
  if (pool->state != v1::POOL_DETACHING) {
    pool->state = detach ? v1::POOL_DETACHING : v1::POOL_DRAINING;
    pool->reason = reason;
    EmitLog(options_.log,
            absl::StrCat("pool ", pool_id, detach ? " detaching" : " draining",
                         ": ", reason));
  }
  DetachIfIdle(*pool);
  changes_.Notify();
  return Listed(pool_id);
}

absl::StatusOr<v1::Pool> Scheduler::ResumePool(absl::string_view pool_id) {
  absl::MutexLock lock(&mu_);
  AttachedPool* pool = pools_.Find(pool_id);
  if (pool == nullptr) {
    return absl::NotFoundError(absl::StrCat("no pool ", pool_id));
  }
  if (pool->state == v1::POOL_DETACHING) {
    return absl::FailedPreconditionError(
        absl::StrCat("pool ", pool_id, " is detaching (", pool->reason,
                     "); it cannot resume"));
  }
  if (pool->state != v1::POOL_ACTIVE) {
    pool->state = v1::POOL_ACTIVE;
    pool->reason.clear();
    EmitLog(options_.log, absl::StrCat("pool ", pool_id, " resumed"));
    Dispatch();
    changes_.Notify();
  }
  return Listed(pool_id);
}

v1::Pool Scheduler::ReportPoolFailure(std::string name,
                                      std::vector<std::string> hosts,
                                      std::string reason) {
  v1::Pool failure;
  failure.set_name(std::move(name));
  for (std::string& host : hosts) failure.add_hosts(std::move(host));
  failure.set_reason(std::move(reason));
  failure.set_state(v1::POOL_FAILED);
  *failure.mutable_failed() = ToProto(options_.clock->Now());
  absl::MutexLock lock(&mu_);
  EmitLog(options_.log, absl::StrCat("pool launch failed: ", failure.name(),
                                     ": ", failure.reason()));
  pools_.AddFailure(failure);
  changes_.Notify();
  return failure;
}

std::vector<v1::Pool> Scheduler::ListPools() const {
  absl::MutexLock lock(&mu_);
  return pools_.List();
}

JobStats Scheduler::Stats() const {
  absl::MutexLock lock(&mu_);
  JobStats stats;
  for (const auto& [id, active] : active_) ++stats.active[active.job.state()];
  stats.submitted = submitted_;
  stats.ended = ended_;
  stats.queue_wait = queue_wait_;
  stats.run_time = run_time_;
  return stats;
}

int Scheduler::LargestPool() const {
  absl::MutexLock lock(&mu_);
  return pools_.LargestPool();
}

void Scheduler::CheckTimeouts() {
  absl::MutexLock lock(&mu_);
  for (auto it = unsaved_.begin(); it != unsaved_.end();) {
    const bool saved =
        options_.store->PutJob(it->first, it->second.SerializeAsString()).ok();
    it = saved ? unsaved_.erase(it) : std::next(it);
    if (!saved) break;  // Still full: try again at the next tick.
  }
  absl::Time now = options_.clock->Now();
  std::vector<std::string> unconfirmed;
  for (auto& [id, active] : active_) {
    const v1::Job& job = active.job;
    if (active.stop_state) {
      if (now - active.stop_asked >= options_.stop_grace) {
        unconfirmed.push_back(id);
      }
      continue;
    }
    absl::Duration timeout = FromProto(job.spec().timeout());
    if (job.state() == v1::RUNNING && timeout > absl::ZeroDuration() &&
        now - FromProto(job.started()) >= timeout) {
      AskStop(active, v1::TIMED_OUT,
              absl::StrCat("timed out after ", absl::FormatDuration(timeout)));
    }
  }
  for (const std::string& id : unconfirmed) {
    ActiveJob& active = active_.at(id);
    lingering_[id] = {active.job.pool_id(), std::move(active.pool_ranks)};
    active.pool_ranks.clear();
    End(id, *active.stop_state,
        absl::StrCat(active.stop_reason,
                     " (the pool did not confirm the stop within ",
                     absl::FormatDuration(options_.stop_grace), ")"));
  }
  if (!unconfirmed.empty()) Dispatch();  // Jobs that waited for them.
}

int Scheduler::ExpireJobs(absl::Duration retain) {
  if (retain == absl::InfiniteDuration()) return 0;
  int64_t expired = 0;
  if (absl::Status s = DeleteEnded(retain, nullptr, &expired); !s.ok()) {
    EmitLog(options_.log, absl::StrCat("job expiry: ", s.message()));
  }
  return static_cast<int>(expired);
}

absl::Status Scheduler::DeleteEnded(
    absl::Duration older_than, const std::function<bool(const v1::Job&)>& which,
    int64_t* deleted) {
  constexpr size_t kPage = 256;
  const absl::Time cutoff = options_.clock->Now() - older_than;
  *deleted = 0;
  std::string after;
  for (bool more = true; more;) {
    absl::StatusOr<std::vector<JobRecord>> records =
        options_.store->ListJobs(after, kPage);
    if (!records.ok()) return records.status();
    more = records->size() == kPage;
    for (const JobRecord& record : *records) {
      after = record.job_id;
      v1::Job job;
      if (!job.ParseFromString(record.record) || !IsFinal(job.state()) ||
          !job.has_finished() || FromProto(job.finished()) > cutoff ||
          (which && !which(job))) {
        continue;
      }
      absl::MutexLock lock(&mu_);
      // An ended job whose pool still runs it may still send output.
      if (active_.contains(job.id()) || lingering_.contains(job.id())) continue;
      if (absl::Status s = options_.store->DeleteJob(job.id()); !s.ok()) {
        return s;
      }
      log_.Forget(job.id());
      requests_.erase({job.owner(), job.request_id()});
      ++*deleted;
    }
  }
  return absl::OkStatus();
}

void Scheduler::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
  }
  changes_.Notify();
}

bool Scheduler::shutting_down() const {
  absl::MutexLock lock(&mu_);
  return shutting_down_;
}

}  // namespace wasmhpc::server
