#include "client-cli/job_follower.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "client-cli/output_format.h"

namespace wasmhpc::cli {
namespace {

// Statuses after which a new Watch may well succeed.
bool IsTransient(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kAborted:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::string_view LogCursor::Accept(const v1::LogChunk& chunk) {
  absl::string_view data = chunk.data();
  const uint64_t end = chunk.offset() + data.size();
  if (end <= offset_) return {};  // Already seen.
  if (chunk.offset() < offset_) data.remove_prefix(offset_ - chunk.offset());
  offset_ = end;
  return data;
}

JobFollower::JobFollower(OpenWatch open_watch, FollowOptions options)
    : open_watch_(std::move(open_watch)), options_(options) {}

void JobFollower::Stop() {
  if (!stopped_.exchange(true)) stop_.Notify();
}

bool JobFollower::Backoff(absl::Duration delay) {
  return !stop_.WaitForNotificationWithTimeout(delay);
}

absl::StatusOr<FollowResult> JobFollower::Follow(const std::string& id,
                                                 FollowSink& sink) {
  FollowResult result;
  LogCursor cursor(options_.log_offset);
  bool had_event = false;  // Some stream delivered something.
  absl::Time last_event = options_.clock->Now();
  absl::Duration backoff = options_.backoff_initial;
  while (true) {
    v1::WatchJobRequest request;
    request.set_id(id);
    request.set_log_offset(cursor.offset());
    request.set_no_follow(options_.no_follow);
    std::unique_ptr<JobEventStream> stream = open_watch_(request);
    bool stream_had_event = false;
    v1::JobEvent event;
    while (true) {
      if (stopped_) return result;
      JobEventStream::Step step = stream->Next(options_.poll_interval, &event);
      if (step == JobEventStream::Step::kEnd) break;
      if (step == JobEventStream::Step::kIdle) continue;
      had_event = stream_had_event = true;
      last_event = options_.clock->Now();
      backoff = options_.backoff_initial;
      if (event.has_job()) {
        result.job = event.job();
        sink.OnJob(result.job);
      } else if (event.has_log()) {
        absl::string_view fresh = cursor.Accept(event.log());
        if (fresh.empty()) continue;
        v1::LogChunk chunk = event.log();
        chunk.set_offset(cursor.offset() - fresh.size());
        chunk.set_data(std::string(fresh));
        sink.OnLog(chunk);
      }
    }
    absl::Status status = stream->status();
    stream.reset();
    // The final state comes after the whole log: nothing is missing.
    if (IsFinalState(result.job.state())) {
      result.ended = true;
      return result;
    }
    // A no-follow watch ends by design once the log so far was sent.
    if (options_.no_follow && stream_had_event && status.ok()) return result;
    if (!had_event) {
      if (!status.ok()) return status;
      return absl::UnavailableError("the head ended the watch without events");
    }
    if (!status.ok() && !IsTransient(status)) return status;
    if (status.ok()) {
      status = absl::UnavailableError(
          "the head ended the watch before the job ended");
    }
    if (options_.clock->Now() - last_event > options_.reconnect_window)
      return status;
    sink.OnReconnecting(status);
    if (!Backoff(backoff)) return result;
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
}

}  // namespace wasmhpc::cli
