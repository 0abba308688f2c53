// Scheduler: the queue's order and what queued jobs are told about it
// (OrderQueue, Dispatch, Snapshot, PublishQueue), and Submit's retries.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/handlers/backfill.h"
#include "server/handlers/job_array.h"
#include "server/handlers/job_dependencies.h"
#include "server/handlers/scheduler.h"

namespace wasmhpc::server {

void Scheduler::OrderQueue() {
  absl::flat_hash_map<std::string, int64_t> busy;  // Owner: ranks in use.
  for (const auto& [id, active] : active_) {
    busy[active.job.owner()] += static_cast<int64_t>(active.pool_ranks.size());
  }
  struct Entry {
    int32_t priority;
    int64_t usage;  // The owner's ranks in use once its jobs ahead run.
    std::string id;
  };
  std::vector<Entry> entries;
  entries.reserve(queue_.size());
  for (const std::string& id : queue_) {
    const ActiveJob& active = active_.at(id);
    int64_t& usage = busy[active.job.owner()];
    entries.push_back({active.job.spec().priority(), usage, id});
    if (active.waiting.empty()) usage += active.job.spec().ranks();
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) {
                     if (a.priority != b.priority) {
                       return a.priority > b.priority;
                     }
                     return a.usage < b.usage;
                   });
  for (size_t i = 0; i < entries.size(); ++i) {
    queue_[i] = std::move(entries[i].id);
  }
}

bool Scheduler::Held(const ActiveJob& active) const {
  if (!active.waiting.empty()) return true;
  const int32_t max_running = active.job.spec().array().max_running();
  if (max_running == 0) return false;
  auto it = array_running_.find(active.job.array_id());
  return it != array_running_.end() && it->second >= max_running;
}

void Scheduler::Dispatch() {
  OrderQueue();
  array_running_.clear();
  for (const auto& [id, active] : active_) {
    if (!active.pool_ranks.empty() && !active.job.array_id().empty()) {
      ++array_running_[active.job.array_id()];
    }
  }
  for (size_t i = 0; i < queue_.size() && !shutting_down_;) {
    ActiveJob& active = active_.at(queue_[i]);
    if (Held(active)) {  // Passed over: holds up nobody.
      ++i;
      continue;
    }
    std::optional<Allocation> allocation =
        pools_.Allocate(active.job.spec().ranks());
    if (!allocation) {
      Backfill(i + 1, active.job.spec().ranks());
      break;
    }
    Start(i, *std::move(allocation));
  }
  PublishQueue();
}

void Scheduler::Backfill(size_t from, int head_ranks) {
  std::optional<Reservation> reservation = Reserve(Loads(), head_ranks);
  if (!reservation) return;  // Nobody can say when: first come, first served.
  const absl::Time now = options_.clock->Now();
  const std::string reserved = reservation->pool_id;
  for (size_t j = from; j < queue_.size();) {
    const ActiveJob& candidate = active_.at(queue_[j]);
    const v1::JobSpec& spec = candidate.job.spec();
    std::optional<Allocation> allocation;
    if (!Held(candidate)) {
      // Another pool never delays the reservation; the reserved one only
      // for a job that ends before it starts or uses its spare ranks.
      allocation = pools_.Allocate(spec.ranks(), [&](const AttachedPool& p) {
        return p.id != reserved;
      });
      const AttachedPool* pool = pools_.Find(reserved);
      if (!allocation && pool != nullptr &&
          static_cast<int>(pool->free.size()) >= spec.ranks() &&
          FitsBefore(*reservation, spec.ranks(), FromProto(spec.timeout()),
                     now)) {
        allocation = pools_.Allocate(spec.ranks(), [&](const AttachedPool& p) {
          return p.id == reserved;
        });
      }
    }
    if (allocation) {
      Start(j, *std::move(allocation));
    } else {
      ++j;
    }
  }
}

std::vector<PoolLoad> Scheduler::Loads() const {
  const absl::Time now = options_.clock->Now();
  std::vector<PoolLoad> loads;
  for (const AttachedPool* pool : pools_.Active()) {
    PoolLoad& load = loads.emplace_back();
    load.id = pool->id;
    load.size = static_cast<int>(pool->executors.size());
    load.free = static_cast<int>(pool->free.size());
  }
  auto load_of = [&](const std::string& pool_id) -> PoolLoad* {
    for (PoolLoad& load : loads) {
      if (load.id == pool_id) return &load;
    }
    return nullptr;
  };
  for (const auto& [id, active] : active_) {
    PoolLoad* load = load_of(active.job.pool_id());
    if (load == nullptr || active.pool_ranks.empty()) continue;
    const absl::Duration timeout = FromProto(active.job.spec().timeout());
    const absl::Time started = active.job.state() == v1::RUNNING
                                   ? FromProto(active.job.started())
                                   : now;
    load->running.emplace_back(timeout > absl::ZeroDuration()
                                   ? started + timeout
                                   : absl::InfiniteFuture(),
                               static_cast<int>(active.pool_ranks.size()));
  }
  for (const auto& [id, lingering] : lingering_) {
    if (PoolLoad* load = load_of(lingering.pool_id)) {
      load->running.emplace_back(absl::InfiniteFuture(),
                                 static_cast<int>(lingering.ranks.size()));
    }
  }
  return loads;
}

void Scheduler::Start(size_t index, Allocation allocation) {
  ActiveJob& active = active_.at(queue_[index]);
  queue_.erase(queue_.begin() + static_cast<ptrdiff_t>(index));
  active.pool_ranks = allocation.ranks;
  active.job.set_state(v1::STARTING);
  active.job.set_pool_id(allocation.pool_id);
  Save(active).IgnoreError();
  v1::HeadMessage message;
  v1::HeadMessage::Assign* assign = message.mutable_assign();
  assign->set_job_id(active.job.id());
  *assign->mutable_spec() = active.job.spec();
  if (!active.job.array_id().empty()) {
    ++array_running_[active.job.array_id()];
    auto& env = *assign->mutable_spec()->mutable_env();
    env[std::string(kArrayIndexEnv)] = absl::StrCat(active.job.array_index());
    env[std::string(kArrayIdEnv)] = active.job.array_id();
  }
  for (int32_t rank : allocation.ranks) assign->add_ranks(rank);
  assign->set_module_name(active.job.module_name());
  pools_.Find(allocation.pool_id)->sink->Send(message);
}

void Scheduler::PublishQueue() {
  const int free_block = pools_.LargestFreeBlock();
  bool pushed = false;
  for (size_t i = 0; i < queue_.size(); ++i) {
    ActiveJob& active = active_.at(queue_[i]);
    if (active.watchers.empty()) continue;
    const v1::QueueState& seen = active.published_queue;
    if (seen.position() == static_cast<int32_t>(i + 1) &&
        seen.largest_free_block() == free_block &&
        seen.waiting_for() ==
            (active.waiting.empty() ? "" : Describe(active.waiting.front()))) {
      continue;
    }
    v1::Job snapshot = Snapshot(active);
    active.published_queue = snapshot.queue();
    for (const auto& watcher : active.watchers) watcher->Push(snapshot);
    pushed = true;
  }
  if (pushed) changes_.Notify();
}

v1::Job Scheduler::Snapshot(const ActiveJob& active) const {
  v1::Job job = active.job;
  if (job.state() != v1::QUEUED) return job;
  for (size_t i = 0; i < queue_.size(); ++i) {
    if (queue_[i] != job.id()) continue;
    job.mutable_queue()->set_position(static_cast<int32_t>(i + 1));
    job.mutable_queue()->set_largest_free_block(pools_.LargestFreeBlock());
    if (!active.waiting.empty()) {
      job.mutable_queue()->set_waiting_for(Describe(active.waiting.front()));
    }
    break;
  }
  return job;
}

absl::StatusOr<v1::JobState> Scheduler::StateOf(const std::string& id) const {
  if (auto it = active_.find(id); it != active_.end()) {
    return it->second.job.state();
  }
  if (auto it = unsaved_.find(id); it != unsaved_.end()) {
    return it->second.state();
  }
  absl::StatusOr<v1::Job> job = LoadRecord(id);
  if (!job.ok()) return job.status();
  return job->state();
}

absl::StatusOr<std::vector<v1::Dependency>> Scheduler::Unmet(
    const v1::JobSpec& spec) {
  std::vector<v1::Dependency> unmet;
  for (const v1::Dependency& d : spec.dependencies()) {
    absl::StatusOr<v1::JobState> state = StateOf(d.job_id());
    if (!state.ok()) return state.status();
    switch (Evaluate(d, *state)) {
      case DependencyOutcome::kMet:
        break;
      case DependencyOutcome::kWaiting:
        unmet.push_back(d);
        break;
      case DependencyOutcome::kNever:
        return absl::FailedPreconditionError(absl::StrCat(
            d.job_id(), " is ", v1::JobState_Name(*state), ", so waiting for ",
            Describe(d), " would wait forever"));
    }
  }
  return unmet;
}

void Scheduler::ResolveDependents(const v1::Job& changed) {
  std::vector<std::pair<std::string, std::string>> broken;  // id, why
  for (const std::string& id : queue_) {
    std::vector<v1::Dependency>& waiting = active_.at(id).waiting;
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (it->job_id() != changed.id()) {
        ++it;
        continue;
      }
      DependencyOutcome outcome = Evaluate(*it, changed.state());
      if (outcome == DependencyOutcome::kNever) {
        broken.emplace_back(
            id, absl::StrCat("dependency not met: ", changed.id(), " ended ",
                             v1::JobState_Name(changed.state()),
                             "; this job waited for ", Describe(*it)));
      }
      it = outcome == DependencyOutcome::kWaiting ? std::next(it)
                                                  : waiting.erase(it);
    }
  }
  for (auto& [id, why] : broken) End(id, v1::CANCELLED, std::move(why));
}

std::optional<absl::StatusOr<v1::Job>> Scheduler::Retried(
    const std::string& owner, const std::string& request_id,
    const v1::JobSpec& spec) {
  if (request_id.empty()) return std::nullopt;
  auto known = requests_.find({owner, request_id});
  if (known == requests_.end()) return std::nullopt;
  const std::string& id = known->second;
  absl::StatusOr<v1::Job> job;
  if (auto it = active_.find(id); it != active_.end()) {
    job = Snapshot(it->second);
  } else if (auto unsaved = unsaved_.find(id); unsaved != unsaved_.end()) {
    job = unsaved->second;
  } else {
    job = LoadRecord(id);
  }
  if (job.ok() &&
      !google::protobuf::util::MessageDifferencer::Equals(job->spec(), spec)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id '", request_id, "' was used for ", id,
        ", which has another spec; choose a new request_id for a new job"));
  }
  return job;
}

}  // namespace wasmhpc::server
