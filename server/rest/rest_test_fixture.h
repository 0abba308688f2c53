// RestTest: a RestServer on a free loopback port over TestHead (fake
// compiler, in-memory store) with one FakePool of 4 executor ranks, and an
// httplib::Client to it, for the REST router's tests.
#ifndef WASMHPC_SERVER_REST_REST_TEST_FIXTURE_H_
#define WASMHPC_SERVER_REST_REST_TEST_FIXTURE_H_

#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cache-store/memory_store.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "server/handlers/head_test_fixture.h"
#include "server/rest/prometheus_text.h"
#include "server/rest/received_text.h"
#include "server/rest/rest_json.h"
#include "server/rest/rest_server.h"

namespace wasmhpc::server {

// What the router answered with an error: the HTTP status and the body.
struct ErrorBody {
  int http = 0;
  int code = -1;
  std::string status;
  std::string message;
};

inline ErrorBody Error(const httplib::Result& result) {
  ErrorBody error;
  if (!result) return error;
  error.http = result->status;
  google::protobuf::Struct body;
  EXPECT_TRUE(ParseJson(result->body, &body).ok()) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  error.code = static_cast<int>(body.fields().at("code").number_value());
  error.status = body.fields().at("status").string_value();
  error.message = body.fields().at("message").string_value();
  return error;
}

class RestTest : public ::testing::Test {
 protected:
  RestTest() {
    std::filesystem::create_directories(allowed_);
    head_ = std::make_unique<TestHead>(store_.get(), &clock_,
                                       std::vector<std::string>{allowed_});
    pool_ = std::make_unique<FakePool>(head_->pools.get());
    EXPECT_TRUE(pool_->Attach(5).ok());  // 4 executor ranks.
    server_ = Serve(&no_auth_);
    client_ = Client(*server_);
  }
  ~RestTest() override {
    server_->Shutdown();
    std::filesystem::remove_all(root_);
  }

  std::unique_ptr<RestServer> Serve(const TokenAuth* auth,
                                    int max_streams = 16) {
    RestServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.poll = absl::Milliseconds(20);
    options.heartbeat = absl::Milliseconds(100);
    options.max_streams = max_streams;
    options.modules = head_->modules.get();
    options.jobs = head_->jobs.get();
    options.pools = head_->pools.get();
    options.scheduler = head_->scheduler.get();
    options.auth = auth;
    absl::StatusOr<std::unique_ptr<RestServer>> server =
        RestServer::Start(options);
    EXPECT_TRUE(server.ok()) << server.status();
    return *std::move(server);
  }
  static std::unique_ptr<httplib::Client> Client(const RestServer& server) {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", server.port());
    client->set_read_timeout(10, 0);
    return client;
  }

  // Uploads a module through REST; returns its digest.
  std::string Upload(const std::string& bytes) {
    httplib::Result result =
        client_->Post("/v1/modules?name=app.wasm", bytes, "application/wasm");
    EXPECT_TRUE(result);
    if (!result) return "";
    EXPECT_EQ(result->status, 201) << result->body;
    v1::UploadModuleResponse uploaded;
    EXPECT_TRUE(ParseJson(result->body, &uploaded).ok()) << result->body;
    return uploaded.module().digest();
  }

  httplib::Result Submit(const std::string& spec_json) {
    return client_->Post("/v1/jobs",
                         absl::StrCat(R"({"spec": )", spec_json, "}"),
                         "application/json");
  }
  // Submits `ranks` of the tiny module; returns the job.
  v1::Job SubmitJob(int ranks) {
    if (digest_.empty()) digest_ = Upload(TinyModule({"MPI_Init"}));
    httplib::Result result = Submit(absl::StrCat(
        R"({"moduleDigest": ")", digest_, R"(", "ranks": )", ranks, "}"));
    v1::Job job;
    EXPECT_TRUE(result);
    if (!result) return job;
    EXPECT_EQ(result->status, 201) << result->body;
    EXPECT_TRUE(ParseJson(result->body, &job).ok()) << result->body;
    return job;
  }
  v1::Job GetJob(const std::string& id) {
    httplib::Result result = client_->Get("/v1/jobs/" + id);
    v1::Job job;
    EXPECT_TRUE(result && result->status == 200);
    if (result) {
      EXPECT_TRUE(ParseJson(result->body, &job).ok());
    }
    return job;
  }
  std::map<std::string, double> Metrics() {
    httplib::Result result = client_->Get("/metrics");
    EXPECT_TRUE(result && result->status == 200);
    if (!result) return {};
    EXPECT_EQ(result->get_header_value("Content-Type"),
              "text/plain; version=0.0.4; charset=utf-8");
    absl::StatusOr<std::map<std::string, double>> samples =
        ParseExposition(result->body);
    EXPECT_TRUE(samples.ok()) << samples.status() << "\n" << result->body;
    return samples.ok() ? *samples : std::map<std::string, double>();
  }
  static std::string Requests(const std::string& method,
                              const std::string& route, int code) {
    return absl::StrCat("wasmhpc_http_requests_total{method=\"", method,
                        "\",route=\"", route, "\",code=\"", code, "\"}");
  }

  const std::filesystem::path root_ =
      std::filesystem::temp_directory_path() /
      ("rest_router_test." + std::to_string(::getpid()));
  const std::string allowed_ = root_ / "data";
  std::unique_ptr<CacheStore> store_ = NewMemoryStore();
  FakeClock clock_;
  TokenAuth no_auth_;
  std::unique_ptr<TestHead> head_;
  std::unique_ptr<FakePool> pool_;
  std::unique_ptr<RestServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::string digest_;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_REST_TEST_FIXTURE_H_
