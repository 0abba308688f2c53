// Scheduler: the queue's order and what queued jobs are told about it
// (Dispatch, Snapshot, PublishQueue), and Submit's retries.
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/handlers/scheduler.h"

namespace wasmhpc::server {

void Scheduler::Dispatch() {
  while (!queue_.empty() && !shutting_down_) {
    ActiveJob& active = active_.at(queue_.front());
    std::optional<Allocation> allocation =
        pools_.Allocate(active.job.spec().ranks());
    if (!allocation) break;
    queue_.pop_front();
    active.pool_ranks = allocation->ranks;
    active.job.set_state(v1::STARTING);
    active.job.set_pool_id(allocation->pool_id);
    Save(active).IgnoreError();
    v1::HeadMessage message;
    v1::HeadMessage::Assign* assign = message.mutable_assign();
    assign->set_job_id(active.job.id());
    *assign->mutable_spec() = active.job.spec();
    for (int32_t rank : allocation->ranks) assign->add_ranks(rank);
    assign->set_module_name(active.job.module_name());
    pools_.Find(allocation->pool_id)->sink->Send(message);
  }
  PublishQueue();
}

void Scheduler::PublishQueue() {
  const int free_block = pools_.LargestFreeBlock();
  bool pushed = false;
  for (size_t i = 0; i < queue_.size(); ++i) {
    ActiveJob& active = active_.at(queue_[i]);
    if (active.watchers.empty()) continue;
    const v1::QueueState& seen = active.published_queue;
    if (seen.position() == static_cast<int32_t>(i + 1) &&
        seen.largest_free_block() == free_block) {
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
    break;
  }
  return job;
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
