// JobFollower: follows one job through JobService.Watch until it ends,
// handing each new log byte and state change to a FollowSink exactly once,
// and reconnecting from the last log offset when the stream breaks.
//
// Execution model: Follow runs on the calling thread; Stop may be called
// from any other thread (the Ctrl-C handler) and makes Follow return within
// FollowOptions::poll_interval.
//
// Reconnects: once the first event has arrived, a stream that ends with a
// transient status (Unavailable, Internal, Unknown, Aborted) or ends OK
// before the job's final state is opened again with log_offset = the end of
// what the sink has seen, after a backoff, until reconnect_window passes
// without a new event. A first Watch that fails (no head there, unknown
// job) is returned at once.
#ifndef WASMHPC_CLIENT_CLI_JOB_FOLLOWER_H_
#define WASMHPC_CLIENT_CLI_JOB_FOLLOWER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "client-cli/head_client.h"
#include "common/clock.h"
#include "wasmhpc/v1/jobs.pb.h"

namespace wasmhpc::cli {

// Where the follower is in the job's log: each chunk is trimmed to the
// bytes past the cursor, so a resend after a reconnect prints nothing twice.
class LogCursor {
 public:
  explicit LogCursor(uint64_t offset = 0) : offset_(offset) {}

  // The part of chunk.data() at or past the cursor (empty when the chunk
  // is old); advances the cursor to the chunk's end. A chunk starting past
  // the cursor (a gap) is taken whole.
  absl::string_view Accept(const v1::LogChunk& chunk);

  uint64_t offset() const { return offset_; }

 private:
  uint64_t offset_;
};

// Receives what Follow sees. Called on Follow's thread only.
class FollowSink {
 public:
  virtual ~FollowSink() = default;
  // The job as it is now (first event of each stream) or after a change.
  virtual void OnJob(const v1::Job& job) = 0;
  // New log bytes: `chunk` with its data trimmed to what is new and its
  // offset moved accordingly.
  virtual void OnLog(const v1::LogChunk& chunk) = 0;
  // The stream broke with `why`; Follow retries after a backoff.
  virtual void OnReconnecting(const absl::Status& why) = 0;
};

struct FollowOptions {
  // Resume point in the job's log. Default: 0 (from the start).
  uint64_t log_offset = 0;
  // Only what exists now: the job's state and the log written so far, even
  // if the job is still running (`logs` without -f). Default: false (follow
  // until the job ends).
  bool no_follow = false;
  // Give up when no stream delivers an event for this long after a break.
  // Default: 60 s.
  absl::Duration reconnect_window = absl::Seconds(60);
  // Backoff between attempts: starts here, doubles up to backoff_max.
  // Default: 100 ms, 2 s.
  absl::Duration backoff_initial = absl::Milliseconds(100);
  absl::Duration backoff_max = absl::Seconds(2);
  // How long one wait for an event lasts before Stop is checked again.
  // Default: 100 ms.
  absl::Duration poll_interval = absl::Milliseconds(100);
  // Where reconnect_window is measured. Default: the system clock. Not
  // owned.
  Clock* clock = RealClock();
};

struct FollowResult {
  // The job as last seen.
  v1::Job job;
  // True when the job reached a final state and its log was drained; false
  // when Stop or no_follow ended the follow first.
  bool ended = false;
};

class JobFollower {
 public:
  // Opens a Watch call (HeadClient::WatchJob in the CLI; fakes in tests).
  using OpenWatch = std::function<std::unique_ptr<JobEventStream>(
      const v1::WatchJobRequest&)>;

  JobFollower(OpenWatch open_watch, FollowOptions options);

  // Follows job `id` until it ends (or Stop, or the end of the log so far with
  // no_follow). Errors: the first stream's status (NotFound, Unavailable,
  // Unauthenticated, ...), a non-transient status of a later stream, or the
  // last transient one once reconnect_window has passed.
  absl::StatusOr<FollowResult> Follow(const std::string& id, FollowSink& sink);

  // Thread safe; makes Follow return soon with ended = false.
  void Stop();

 private:
  // Waits out a backoff; false if Stop came first.
  bool Backoff(absl::Duration delay);

  const OpenWatch open_watch_;
  const FollowOptions options_;
  std::atomic<bool> stopped_{false};
  absl::Notification stop_;
};

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_JOB_FOLLOWER_H_
