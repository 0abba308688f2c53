#include "client-cli/job_follower.h"

#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::cli {
namespace {

using ::testing::ElementsAre;

v1::LogChunk Chunk(uint64_t offset, const std::string& data, int rank = 0) {
  v1::LogChunk chunk;
  chunk.set_offset(offset);
  chunk.set_rank(rank);
  chunk.set_stream(v1::STDOUT);
  chunk.set_data(data);
  return chunk;
}

v1::JobEvent JobEvent(v1::JobState state) {
  v1::JobEvent event;
  event.mutable_job()->set_id("job-1");
  event.mutable_job()->set_state(state);
  return event;
}

v1::JobEvent LogEvent(uint64_t offset, const std::string& data) {
  v1::JobEvent event;
  *event.mutable_log() = Chunk(offset, data);
  return event;
}

// A scripted stream: its events, then its status. `idle_forever` makes it
// never end (a job that keeps running quietly).
class ScriptedStream : public JobEventStream {
 public:
  ScriptedStream(std::vector<v1::JobEvent> events, absl::Status status,
                 bool idle_forever = false)
      : events_(events.begin(), events.end()),
        status_(std::move(status)),
        idle_forever_(idle_forever) {}

  Step Next(absl::Duration max_wait, v1::JobEvent* event) override {
    if (!events_.empty()) {
      *event = events_.front();
      events_.pop_front();
      return Step::kEvent;
    }
    if (idle_forever_) {
      absl::SleepFor(std::min(max_wait, absl::Milliseconds(5)));
      return Step::kIdle;
    }
    return Step::kEnd;
  }
  absl::Status status() const override { return status_; }

 private:
  std::deque<v1::JobEvent> events_;
  absl::Status status_;
  bool idle_forever_;
};

class RecordingSink : public FollowSink {
 public:
  void OnJob(const v1::Job& job) override { states.push_back(job.state()); }
  void OnLog(const v1::LogChunk& chunk) override {
    log += chunk.data();
    offsets.push_back(chunk.offset());
  }
  void OnReconnecting(const absl::Status& why) override {
    reconnects.push_back(why);
  }

  std::vector<v1::JobState> states;
  std::string log;
  std::vector<uint64_t> offsets;
  std::vector<absl::Status> reconnects;
};

// Hands out scripted streams in order and records each request's offset.
// Each opening first moves `clock` (if set) by `per_open`.
struct Script {
  std::vector<std::unique_ptr<JobEventStream>> streams;
  std::vector<uint64_t> requested_offsets;
  size_t next = 0;
  FakeClock* clock = nullptr;
  absl::Duration per_open;

  // Appends a stream of `events` that then ends with `end`.
  void Add(std::vector<v1::JobEvent> events, absl::Status end,
           bool idle_forever = false) {
    streams.push_back(std::make_unique<ScriptedStream>(
        std::move(events), std::move(end), idle_forever));
  }

  JobFollower::OpenWatch Opener() {
    return [this](const v1::WatchJobRequest& request) {
      if (clock != nullptr) clock->Advance(per_open);
      requested_offsets.push_back(request.log_offset());
      if (next < streams.size()) return std::move(streams[next++]);
      return std::unique_ptr<JobEventStream>(std::make_unique<ScriptedStream>(
          std::vector<v1::JobEvent>{}, absl::UnavailableError("gone")));
    };
  }
};

FollowOptions Fast() {
  FollowOptions options;
  options.backoff_initial = absl::Milliseconds(1);
  options.backoff_max = absl::Milliseconds(2);
  options.poll_interval = absl::Milliseconds(5);
  return options;
}

// Follows job-1 into `sink`, watching through the streams of `script`.
absl::StatusOr<FollowResult> Follow(Script& script, RecordingSink& sink,
                                    FollowOptions options = Fast()) {
  JobFollower follower(script.Opener(), std::move(options));
  return follower.Follow("job-1", sink);
}

TEST(LogCursor, TrimsWhatWasSeenAndTakesGaps) {
  LogCursor cursor;
  EXPECT_EQ(cursor.Accept(Chunk(0, "abc")), "abc");
  EXPECT_EQ(cursor.Accept(Chunk(0, "abc")), "");       // resent
  EXPECT_EQ(cursor.Accept(Chunk(1, "bcdef")), "def");  // overlaps
  EXPECT_EQ(cursor.offset(), 6u);
  EXPECT_EQ(cursor.Accept(Chunk(10, "xy")), "xy");  // gap
  EXPECT_EQ(cursor.offset(), 12u);
  EXPECT_EQ(cursor.Accept(Chunk(12, "")), "");
}

TEST(JobFollower, FollowsToTheFinalState) {
  Script script;
  script.Add({JobEvent(v1::RUNNING), LogEvent(0, "a\n"), LogEvent(2, "b\n"),
              JobEvent(v1::SUCCEEDED)},
             absl::OkStatus());
  RecordingSink sink;
  absl::StatusOr<FollowResult> result = Follow(script, sink);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->ended);
  EXPECT_EQ(result->job.state(), v1::SUCCEEDED);
  EXPECT_EQ(sink.log, "a\nb\n");
  EXPECT_THAT(sink.states, ElementsAre(v1::RUNNING, v1::SUCCEEDED));
  EXPECT_TRUE(sink.reconnects.empty());
}

TEST(JobFollower, ResumesFromTheLastOffsetAfterABreak) {
  Script script;
  script.Add({JobEvent(v1::RUNNING), LogEvent(0, "abc")},
             absl::UnavailableError("reset"));
  // A head that resends from an earlier offset than asked is trimmed.
  script.Add({JobEvent(v1::RUNNING), LogEvent(1, "bcde"), JobEvent(v1::FAILED)},
             absl::OkStatus());
  RecordingSink sink;
  absl::StatusOr<FollowResult> result = Follow(script, sink);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->ended);
  EXPECT_EQ(sink.log, "abcde");
  EXPECT_THAT(sink.offsets, ElementsAre(0, 3));
  EXPECT_THAT(script.requested_offsets, ElementsAre(0, 3));
  ASSERT_EQ(sink.reconnects.size(), 1u);
  EXPECT_EQ(sink.reconnects[0].code(), absl::StatusCode::kUnavailable);
}

TEST(JobFollower, AStreamEndingEarlyWithoutErrorIsReconnected) {
  Script script;
  script.Add({JobEvent(v1::RUNNING)}, absl::OkStatus());
  script.Add({JobEvent(v1::TIMED_OUT)}, absl::OkStatus());
  RecordingSink sink;
  absl::StatusOr<FollowResult> result = Follow(script, sink);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->job.state(), v1::TIMED_OUT);
  EXPECT_EQ(script.requested_offsets.size(), 2u);
}

TEST(JobFollower, AFirstWatchThatFailsIsReturnedAtOnce) {
  Script script;
  script.Add({}, absl::UnavailableError("refused"));
  RecordingSink sink;
  absl::StatusOr<FollowResult> result = Follow(script, sink);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(script.requested_offsets.size(), 1u);
}

TEST(JobFollower, PermanentErrorsAreNotRetried) {
  Script script;
  script.Add({JobEvent(v1::RUNNING)},
             absl::UnauthenticatedError("token expired"));
  RecordingSink sink;
  absl::StatusOr<FollowResult> result = Follow(script, sink);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(script.requested_offsets.size(), 1u);
}

TEST(JobFollower, GivesUpAfterTheReconnectWindow) {
  FakeClock clock;
  Script script;  // After the first stream, every attempt fails Unavailable.
  script.clock = &clock;
  script.per_open = absl::Seconds(25);
  script.Add({JobEvent(v1::RUNNING)}, absl::UnavailableError("reset"));
  FollowOptions options = Fast();
  options.reconnect_window = absl::Seconds(60);
  options.clock = &clock;
  RecordingSink sink;
  absl::StatusOr<FollowResult> result = Follow(script, sink, options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  // The event came at 25 s; the attempts at 50 s and 75 s are within the
  // window, the one at 100 s is not.
  EXPECT_EQ(script.requested_offsets.size(), 4u);
  EXPECT_EQ(sink.reconnects.size(), 3u);
}

TEST(JobFollower, NoFollowEndsWithTheStreamOfARunningJob) {
  Script script;
  script.Add({JobEvent(v1::RUNNING), LogEvent(0, "so far")}, absl::OkStatus());
  FollowOptions options = Fast();
  options.no_follow = true;
  RecordingSink sink;
  absl::StatusOr<FollowResult> result = Follow(script, sink, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->ended);
  EXPECT_EQ(sink.log, "so far");
  EXPECT_EQ(script.requested_offsets.size(), 1u);  // No reconnect.
}

TEST(JobFollower, StopFromAnotherThreadEndsTheFollow) {
  Script script;
  script.Add({JobEvent(v1::RUNNING)}, absl::OkStatus(),
             /*idle_forever=*/true);
  JobFollower follower(script.Opener(), Fast());
  RecordingSink sink;
  std::thread stopper([&] { follower.Stop(); });
  absl::StatusOr<FollowResult> result = follower.Follow("job-1", sink);
  stopper.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->ended);
}

}  // namespace
}  // namespace wasmhpc::cli
