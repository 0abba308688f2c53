// The log route of RestRouter: offsets, text and events, follow streams
// that end with the job or at shutdown.
#include <optional>
#include <thread>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rest/rest_test_fixture.h"

namespace wasmhpc::server {
namespace {

using ::testing::ElementsAre;

using RestLogsTest = RestTest;

TEST_F(RestLogsTest, LogsFromAnOffsetAsTextOrEvents) {
  v1::Job job = SubmitJob(2);
  pool_->Started(job.id());
  pool_->Log(job.id(), 0, "hello\n");
  pool_->Log(job.id(), 1, "world\n", v1::STDERR);
  const std::string logs = "/v1/jobs/" + job.id() + "/logs";

  httplib::Result result = client_->Get(logs);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "hello\nworld\n");
  EXPECT_EQ(result->get_header_value("Content-Type"),
            "text/plain; charset=utf-8");
  result = client_->Get(logs + "?offset=6");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body, "world\n");
  result = client_->Get(logs + "?offset=8");
  EXPECT_EQ(result->body, "rld\n");
  result = client_->Get(logs + "?offset=12");
  EXPECT_EQ(result->body, "");
  ErrorBody error = Error(client_->Get(logs + "?offset=13"));
  EXPECT_EQ(error.http, 400);
  EXPECT_EQ(error.status, "OUT_OF_RANGE");
  EXPECT_EQ(Error(client_->Get(logs + "?offset=-1")).http, 400);
  EXPECT_EQ(Error(client_->Get(logs + "?format=html")).http, 400);
  EXPECT_EQ(Error(client_->Get("/v1/jobs/job-99999999/logs")).http, 404);

  result = client_->Get(logs + "?format=events&offset=6");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/x-ndjson");
  std::vector<std::string> lines =
      absl::StrSplit(result->body, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << result->body;
  v1::JobEvent event;
  ASSERT_TRUE(ParseJson(lines[0], &event).ok());
  EXPECT_EQ(event.job().state(), v1::RUNNING);
  ASSERT_TRUE(ParseJson(lines[1], &event).ok());
  EXPECT_EQ(event.log().offset(), 6u);
  EXPECT_EQ(event.log().rank(), 1);
  EXPECT_EQ(event.log().stream(), v1::STDERR);
  EXPECT_EQ(event.log().data(), "world\n");
}

TEST_F(RestLogsTest, FollowStreamsTheLogUntilTheJobEnds) {
  v1::Job job = SubmitJob(2);
  pool_->Started(job.id());
  pool_->Log(job.id(), 0, "one\n");
  ReceivedText received;
  std::optional<httplib::Result> result;
  std::thread follower([&] {
    result = client_->Get("/v1/jobs/" + job.id() + "/logs?follow=1&offset=0",
                          [&](const char* data, size_t length) {
                            return received.Add(data, length);
                          });
  });
  // Each piece arrives while the job still runs.
  ASSERT_TRUE(received.WaitFor("one\n"));
  pool_->Log(job.id(), 1, "two\n");
  ASSERT_TRUE(received.WaitFor("two\n"));
  EXPECT_EQ(head_->jobs->Get(job.id(), Caller::Local())->state(), v1::RUNNING);
  pool_->Log(job.id(), 0, "three\n");
  pool_->Succeeded(job.id(), 2);
  follower.join();
  ASSERT_TRUE(*result) << httplib::to_string(result->error());
  EXPECT_EQ((*result)->status, 200);
  EXPECT_EQ(received.text(), "one\ntwo\nthree\n");
}

TEST_F(RestLogsTest, FollowEventsEndWithTheFinalState) {
  v1::Job job = SubmitJob(1);
  ReceivedText received;
  std::optional<httplib::Result> result;
  std::thread follower([&] {
    result =
        client_->Get("/v1/jobs/" + job.id() + "/logs?follow=true&format=events",
                     [&](const char* data, size_t length) {
                       return received.Add(data, length);
                     });
  });
  ASSERT_TRUE(received.WaitFor("\"STARTING\""));
  pool_->Started(job.id());
  ASSERT_TRUE(received.WaitFor("\"RUNNING\""));
  pool_->Log(job.id(), 0, "out");
  pool_->Succeeded(job.id(), 1);
  follower.join();
  ASSERT_TRUE(*result);
  std::vector<std::string> lines =
      absl::StrSplit(received.text(), '\n', absl::SkipEmpty());
  std::vector<std::string> summary;
  for (const std::string& line : lines) {
    v1::JobEvent event;
    ASSERT_TRUE(ParseJson(line, &event).ok()) << line;
    summary.push_back(event.has_job() ? v1::JobState_Name(event.job().state())
                                      : "log:" + event.log().data());
  }
  EXPECT_THAT(summary,
              ElementsAre("STARTING", "RUNNING", "log:out", "SUCCEEDED"));
}

TEST_F(RestLogsTest, ShutdownCutsFollowStreamsShort) {
  v1::Job job = SubmitJob(1);
  pool_->Started(job.id());
  pool_->Log(job.id(), 0, "working\n");
  ReceivedText received;
  std::optional<httplib::Result> result;
  std::thread follower([&] {
    result = client_->Get("/v1/jobs/" + job.id() + "/logs?follow=1",
                          [&](const char* data, size_t length) {
                            return received.Add(data, length);
                          });
  });
  ASSERT_TRUE(received.WaitFor("working\n"));
  const absl::Time start = absl::Now();
  server_->Shutdown();
  follower.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  // Cut short: no clean end of the chunked body.
  EXPECT_FALSE(*result);
  EXPECT_EQ(head_->jobs->Get(job.id(), Caller::Local())->state(), v1::RUNNING);
}

// A follower of events that disconnects while the job is quiet gives its
// server thread back (the heartbeat's write fails) without waiting for the
// job to end.
TEST_F(RestLogsTest, VanishedEventsFollowerIsNoticed) {
  v1::Job job = SubmitJob(1);
  pool_->Started(job.id());
  {
    httplib::Client client("127.0.0.1", server_->port());
    ReceivedText received;
    std::thread follower([&] {
      client.Get("/v1/jobs/" + job.id() + "/logs?follow=1&format=events",
                 [&](const char* data, size_t length) {
                   return received.Add(data, length);
                 });
    });
    ASSERT_TRUE(received.WaitFor("RUNNING"));
    EXPECT_EQ(Metrics()["wasmhpc_http_streams_open"], 1);
    client.stop();  // Closes the socket under the running Get.
    follower.join();
  }
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (Metrics()["wasmhpc_http_streams_open"] != 0 &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(Metrics()["wasmhpc_http_streams_open"], 0);
  EXPECT_EQ(head_->jobs->Get(job.id(), Caller::Local())->state(), v1::RUNNING);
}

// A quiet events stream repeats the job as it is.
TEST_F(RestLogsTest, QuietEventsStreamRepeatsTheJob) {
  v1::Job job = SubmitJob(1);
  pool_->Started(job.id());
  ReceivedText received;
  std::optional<httplib::Result> result;
  std::thread follower([&] {
    result =
        client_->Get("/v1/jobs/" + job.id() + "/logs?follow=1&format=events",
                     [&](const char* data, size_t length) {
                       return received.Add(data, length);
                     });
  });
  // The job once as it is, then again from the heartbeat (100 ms here).
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  auto runs = [&] {
    std::string text = received.text();
    int count = 0;
    for (size_t at = 0; (at = text.find("\"RUNNING\"", at)) != text.npos;
         ++at) {
      ++count;
    }
    return count;
  };
  while (runs() < 2 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_GE(runs(), 2) << received.text();
  pool_->Succeeded(job.id(), 1);
  follower.join();
  ASSERT_TRUE(*result);
  EXPECT_THAT(received.text(), ::testing::HasSubstr("\"SUCCEEDED\""));
}

// Follow streams never take every thread: past max_streams they are
// refused, while the other routes and plain log reads go on.
TEST_F(RestLogsTest, FollowStreamsAreCapped) {
  std::unique_ptr<RestServer> capped = Serve(&no_auth_, /*max_streams=*/1);
  v1::Job job = SubmitJob(1);
  pool_->Started(job.id());
  pool_->Log(job.id(), 0, "first\n");
  httplib::Client first("127.0.0.1", capped->port());
  ReceivedText received;
  std::thread follower([&] {
    first.Get("/v1/jobs/" + job.id() + "/logs?follow=1",
              [&](const char* data, size_t length) {
                return received.Add(data, length);
              });
  });
  ASSERT_TRUE(received.WaitFor("first\n"));
  std::unique_ptr<httplib::Client> second = Client(*capped);
  ErrorBody error =
      Error(second->Get("/v1/jobs/" + job.id() + "/logs?follow=1"));
  EXPECT_EQ(error.http, 429);
  EXPECT_THAT(error.message, ::testing::HasSubstr("too many log streams"));
  httplib::Result plain = second->Get("/v1/jobs/" + job.id() + "/logs");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->body, "first\n");
  pool_->Succeeded(job.id(), 1);
  follower.join();
  capped->Shutdown();
}
}  // namespace
}  // namespace wasmhpc::server
