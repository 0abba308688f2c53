// End-to-end tests of wasmhpc-head's REST API: the real binary (real V8
// validation, RocksDB, the same handlers as gRPC) on free ports, driven over
// HTTP by httplib::Client, with a fake worker pool on the real gRPC Attach
// stream.
#include <google/protobuf/util/json_util.h>
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cache-store/module_digest.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rest/received_text.h"
#include "tests/service/head_process.h"

namespace wasmhpc::testing {
namespace {

namespace fs = std::filesystem;
using server::ReceivedText;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

template <typename Message>
Message FromJson(const std::string& json) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << ": " << json;
  return message;
}

class RestServiceTest : public ::testing::Test {
 protected:
  void TearDown() override { head_.reset(); }

  void StartHead(std::vector<std::string> args = {}) {
    absl::StatusOr<std::unique_ptr<HeadProcess>> head =
        HeadProcess::Start(WASMHPC_HEAD_BINARY, root_.Path("data"), args);
    ASSERT_TRUE(head.ok()) << head.status();
    head_ = *std::move(head);
    ASSERT_FALSE(head_->rest_address().empty());
    client_ = Client();
  }
  std::unique_ptr<httplib::Client> Client() {
    std::vector<std::string> host_port =
        absl::StrSplit(head_->rest_address(), ':');
    int port = 0;
    EXPECT_TRUE(absl::SimpleAtoi(host_port.at(1), &port));
    auto client = std::make_unique<httplib::Client>(host_port.at(0), port);
    client->set_read_timeout(20, 0);
    return client;
  }

  TempDir root_{"wasmhpc_rest_service_test."};
  std::string hello_ = ReadTestFile(WASMHPC_HELLO_WASM);
  std::unique_ptr<HeadProcess> head_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(RestServiceTest, UploadSubmitFollowAndStatusThroughRest) {
  StartHead();
  GrpcFakePool pool(head_->Connect());
  ASSERT_TRUE(pool.Attach(3).ok());

  // V8 validates what comes over REST.
  httplib::Result result =
      client_->Post("/v1/modules", "#!/bin/sh\necho hi\n", "application/wasm");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 400);
  EXPECT_THAT(result->body, HasSubstr("not a WebAssembly module"));
  result =
      client_->Post("/v1/modules", hello_.substr(0, 300), "application/wasm");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 400);
  EXPECT_THAT(result->body, HasSubstr("invalid module:"));

  result =
      client_->Post("/v1/modules?name=hello.wasm", hello_, "application/wasm");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 201) << result->body;
  auto uploaded = FromJson<v1::UploadModuleResponse>(result->body);
  EXPECT_EQ(uploaded.module().digest(), ModuleDigest(hello_));
  result = client_->Get("/v1/modules");
  ASSERT_TRUE(result);
  EXPECT_EQ(FromJson<v1::ListModulesResponse>(result->body).modules_size(), 1);

  result = client_->Post(
      "/v1/jobs",
      absl::StrCat(R"({"spec": {"moduleDigest": ")", uploaded.module().digest(),
                   R"(", "ranks": 2}})"),
      "application/json");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 201) << result->body;
  auto job = FromJson<v1::Job>(result->body);
  std::optional<v1::HeadMessage> assign = pool.Next();
  ASSERT_TRUE(assign && assign->has_assign());
  EXPECT_EQ(assign->assign().job_id(), job.id());

  ReceivedText received;
  std::optional<httplib::Result> follow;
  std::unique_ptr<httplib::Client> follower_client = Client();
  std::thread follower([&] {
    follow = follower_client->Get(
        "/v1/jobs/" + job.id() + "/logs?follow=1",
        [&](const char* data, size_t n) { return received.Add(data, n); });
  });
  pool.Started(job.id());
  pool.Log(job.id(), 0, "hello from rank 0 of 2\n");
  ASSERT_TRUE(received.WaitFor("rank 0 of 2\n"));
  pool.Log(job.id(), 1, "hello from rank 1 of 2\n");
  pool.Succeeded(job.id(), 2);
  follower.join();
  ASSERT_TRUE(*follow);
  EXPECT_EQ((*follow)->status, 200);
  EXPECT_EQ(received.text(),
            "hello from rank 0 of 2\nhello from rank 1 of 2\n");

  result = client_->Get("/v1/jobs/" + job.id());
  ASSERT_TRUE(result);
  EXPECT_EQ(FromJson<v1::Job>(result->body).state(), v1::SUCCEEDED);
  result = client_->Get("/v1/jobs/" + job.id() + "/logs?offset=23");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body, "hello from rank 1 of 2\n");
  result = client_->Get("/metrics");
  ASSERT_TRUE(result);
  EXPECT_THAT(result->body,
              HasSubstr("wasmhpc_jobs_ended_total{state=\"succeeded\"} 1\n"));
  EXPECT_THAT(result->body, HasSubstr("wasmhpc_modules_stored 1\n"));
}

TEST_F(RestServiceTest, TokensFromTheSameFileGuardRest) {
  const std::string tokens = root_.Path("tokens");
  std::ofstream(tokens) << "right-token-0123456789 alice user\n";
  StartHead({"--auth-tokens", tokens});
  httplib::Result result = client_->Get("/v1/jobs");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 401);
  EXPECT_THAT(result->body, HasSubstr("\"status\":\"UNAUTHENTICATED\""));
  result = client_->Get("/healthz");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  client_->set_bearer_token_auth("right-token-0123456789");
  result = client_->Get("/v1/jobs");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
}

TEST_F(RestServiceTest, SigtermEndsFollowStreamsPromptly) {
  StartHead();
  GrpcFakePool pool(head_->Connect());
  ASSERT_TRUE(pool.Attach(2).ok());
  httplib::Result result =
      client_->Post("/v1/modules", hello_, "application/wasm");
  ASSERT_TRUE(result && result->status == 201);
  const std::string digest =
      FromJson<v1::UploadModuleResponse>(result->body).module().digest();
  result = client_->Post("/v1/jobs",
                         absl::StrCat(R"({"spec": {"moduleDigest": ")", digest,
                                      R"(", "ranks": 1}})"),
                         "application/json");
  ASSERT_TRUE(result && result->status == 201);
  auto job = FromJson<v1::Job>(result->body);
  pool.Started(job.id());
  pool.Log(job.id(), 0, "still running\n");

  ReceivedText received;
  std::optional<httplib::Result> follow;
  std::thread follower([&] {
    follow = client_->Get(
        "/v1/jobs/" + job.id() + "/logs?follow=1",
        [&](const char* data, size_t n) { return received.Add(data, n); });
  });
  ASSERT_TRUE(received.WaitFor("still running\n"));
  const absl::Time start = absl::Now();
  const int status = head_->Stop(SIGTERM);
  follower.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(*follow) << "the cut stream must not look complete";
}

TEST_F(RestServiceTest, RestCanBeTurnedOff) {
  absl::StatusOr<std::unique_ptr<HeadProcess>> head = HeadProcess::Start(
      WASMHPC_HEAD_BINARY, root_.Path("data"), {"--rest-port", "off"});
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ((*head)->rest_address(), "");
  EXPECT_EQ((*head)->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace wasmhpc::testing
