// RestRouter over a real loopback socket (RestServer on a free port), driven
// by httplib::Client, over the handlers with a fake compiler and a fake pool:
// modules, jobs, auth, health, metrics and the OpenAPI document.
#include "server/rest/rest_router.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "cache-store/module_digest.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rest/openapi.h"
#include "server/rest/rest_test_fixture.h"

namespace wasmhpc::server {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// --- Modules ---------------------------------------------------------------

using RestRouterTest = RestTest;

TEST_F(RestRouterTest, UploadStoresAModuleAndServesIt) {
  const std::string bytes = TinyModule({"MPI_Init", "MPI_Finalize"});
  httplib::Result result =
      client_->Post("/v1/modules?name=app.wasm&label=team=hpc&label=x=1=2",
                    bytes, "application/wasm");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 201) << result->body;
  v1::UploadModuleResponse uploaded;
  ASSERT_TRUE(ParseJson(result->body, &uploaded).ok()) << result->body;
  const std::string digest = ModuleDigest(bytes);
  EXPECT_EQ(uploaded.module().digest(), digest);
  EXPECT_EQ(uploaded.module().size_bytes(), bytes.size());
  EXPECT_EQ(uploaded.module().name(), "app.wasm");
  EXPECT_THAT(uploaded.module().labels(), Contains(Pair("team", "hpc")));
  EXPECT_THAT(uploaded.module().labels(), Contains(Pair("x", "1=2")));
  EXPECT_THAT(uploaded.module().mpi_imports(),
              ElementsAre("MPI_Init", "MPI_Finalize"));
  EXPECT_FALSE(uploaded.already_present());
  EXPECT_EQ(result->get_header_value("Location"), "/v1/modules/" + digest);
  EXPECT_EQ(head_->compiler.compiles(), 1);

  // The same bytes again: 200, already present.
  result = client_->Post("/v1/modules", bytes, "application/wasm");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  ASSERT_TRUE(ParseJson(result->body, &uploaded).ok());
  EXPECT_TRUE(uploaded.already_present());

  result = client_->Get("/v1/modules/" + digest);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200);
  v1::Module module;
  ASSERT_TRUE(ParseJson(result->body, &module).ok());
  EXPECT_EQ(module.name(), "app.wasm");

  result = client_->Get("/v1/modules?page_size=10");
  ASSERT_TRUE(result);
  v1::ListModulesResponse list;
  ASSERT_TRUE(ParseJson(result->body, &list).ok()) << result->body;
  ASSERT_EQ(list.modules_size(), 1);
  EXPECT_EQ(list.modules(0).digest(), digest);

  result = client_->Delete("/v1/modules/" + digest);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_FALSE(*head_->modules->Has(digest));
}

TEST_F(RestRouterTest, ChunkedUploadWithoutLengthIsStreamedIn) {
  const std::string bytes = TinyModule({"MPI_Init"});
  httplib::Result result = client_->Post(
      "/v1/modules",
      [&](size_t offset, httplib::DataSink& sink) {
        if (offset < bytes.size()) {
          sink.write(bytes.data() + offset,
                     std::min<size_t>(5, bytes.size() - offset));
        } else {
          sink.done();
        }
        return true;
      },
      "application/wasm");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 201) << result->body;
  EXPECT_TRUE(*head_->modules->Has(ModuleDigest(bytes)));
}

TEST_F(RestRouterTest, MalformedModuleIsRefusedWithTheValidatorsMessage) {
  httplib::Result result =
      client_->Post("/v1/modules", "not a module", "application/wasm");
  ErrorBody error = Error(result);
  EXPECT_EQ(error.http, 400);
  EXPECT_EQ(error.code, 3);
  EXPECT_EQ(error.status, "INVALID_ARGUMENT");
  EXPECT_EQ(error.message,
            "invalid module: expected magic word 00 61 73 6d @+0");
  EXPECT_TRUE(store_->ListModules()->empty());

  error = Error(client_->Post("/v1/modules", TinyModule({}), "text/plain"));
  EXPECT_EQ(error.http, 400);
  EXPECT_THAT(error.message,
              HasSubstr("Content-Type must be application/wasm"));
  error = Error(client_->Post("/v1/modules?label=nokey", TinyModule({}),
                              "application/wasm"));
  EXPECT_THAT(error.message, HasSubstr("expected KEY=VALUE"));
  EXPECT_TRUE(store_->ListModules()->empty());
}

TEST_F(RestRouterTest, OversizeUploadIs413) {
  // TestHead accepts modules up to 1 MiB.
  const std::string big =
      std::string("\0asm\x01\0\0\0", 8) + std::string((1 << 20) - 7, 'x');
  ErrorBody error =
      Error(client_->Post("/v1/modules", big, "application/wasm"));
  EXPECT_EQ(error.http, 413);
  EXPECT_EQ(error.status, "RESOURCE_EXHAUSTED");
  EXPECT_TRUE(store_->ListModules()->empty());
}

TEST_F(RestRouterTest, ClientGoneMidUploadStoresNothing) {
  const std::string bytes = TinyModule({"MPI_Init"});
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server_->port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address),
            0);
  const std::string request = absl::StrCat(
      "POST /v1/modules HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/wasm\r\nContent-Length: ",
      bytes.size(), "\r\n\r\n", bytes.substr(0, bytes.size() / 2));
  ASSERT_EQ(write(fd, request.data(), request.size()),
            static_cast<ssize_t>(request.size()));
  close(fd);
  // The router counts the cut upload as 499 when it has given up on it.
  const std::string cut = Requests("POST", "/v1/modules", 499);
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (Metrics()[cut] != 1 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(Metrics()[cut], 1);
  EXPECT_TRUE(store_->ListModules()->empty());
  EXPECT_EQ(head_->compiler.compiles(), 0);
}

TEST_F(RestRouterTest, UnknownOrMalformedDigests) {
  const std::string unknown = "sha256:" + std::string(64, 'e');
  ErrorBody error = Error(client_->Get("/v1/modules/" + unknown));
  EXPECT_EQ(error.http, 404);
  EXPECT_EQ(error.status, "NOT_FOUND");
  EXPECT_THAT(error.message, HasSubstr("no module " + unknown));
  EXPECT_EQ(Error(client_->Delete("/v1/modules/" + unknown)).http, 404);
  EXPECT_EQ(Error(client_->Get("/v1/modules/app.wasm")).http, 400);
}

// --- Jobs ------------------------------------------------------------------

TEST_F(RestRouterTest, SubmitReturnsTheJobAndItsLocation) {
  digest_ = Upload(TinyModule({"MPI_Init"}));
  httplib::Result result = Submit(
      absl::StrCat(R"({"moduleDigest": ")", digest_,
                   R"(", "ranks": 2, "args": ["32"], "timeout": "60s"})"));
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 201) << result->body;
  v1::Job job;
  ASSERT_TRUE(ParseJson(result->body, &job).ok());
  EXPECT_EQ(job.state(), v1::STARTING);  // The pool had room.
  EXPECT_EQ(job.spec().args(0), "32");
  EXPECT_EQ(job.spec().timeout().seconds(), 60);
  EXPECT_EQ(result->get_header_value("Location"), "/v1/jobs/" + job.id());
  ASSERT_TRUE(pool_->AssignOf(job.id()).has_value());
  EXPECT_EQ(GetJob(job.id()).spec().ranks(), 2);
}

TEST_F(RestRouterTest, BadSubmissionsAreRefusedWithTheHandlersMessages) {
  digest_ = Upload(TinyModule({"MPI_Init"}));
  const std::string module = R"({"moduleDigest": ")" + digest_ + "\", ";
  ErrorBody error = Error(Submit(module + R"("ranks": 0})"));
  EXPECT_EQ(error.http, 400);
  EXPECT_EQ(error.message, "ranks must be at least 1 (got 0)");
  EXPECT_EQ(Error(Submit(module + R"("ranks": -2})")).http, 400);

  error = Error(Submit(module + R"("ranks": 9})"));
  EXPECT_EQ(error.http, 412);
  EXPECT_EQ(error.status, "FAILED_PRECONDITION");
  EXPECT_EQ(error.message,
            "job asks 9 ranks; the largest pool has 4 executor ranks");

  error =
      Error(Submit(module + R"("ranks": 1, "dirs": [{"hostPath": "/etc"}]})"));
  EXPECT_EQ(error.http, 403);
  EXPECT_EQ(error.status, "PERMISSION_DENIED");
  EXPECT_EQ(Submit(module + R"("ranks": 1, "dirs": [{"hostPath": ")" +
                   allowed_ + "\"}]}")
                ->status,
            201);

  error = Error(Submit(module + R"("ranks": 1, "rank": 2})"));
  EXPECT_EQ(error.http, 400);
  EXPECT_THAT(error.message, HasSubstr("rank: Cannot find field"));
  EXPECT_EQ(Error(Submit("{")).http, 400);

  error = Error(Submit(R"({"moduleDigest": "sha256:)" + std::string(64, 'a') +
                       R"(", "ranks": 1})"));
  EXPECT_EQ(error.http, 404);
  EXPECT_THAT(error.message, HasSubstr("upload it first"));
  EXPECT_EQ(head_->jobs->List({}, Caller::Local())->jobs_size(),
            1);  // The allowed dir.
}

TEST_F(RestRouterTest, ListGetAndCancel) {
  v1::Job running = SubmitJob(3);
  pool_->Started(running.id());
  v1::Job queued = SubmitJob(2);  // Only 1 rank is left: waits.
  EXPECT_EQ(queued.state(), v1::QUEUED);

  httplib::Result result = client_->Get("/v1/jobs?state=running");
  ASSERT_TRUE(result);
  v1::ListJobsResponse list;
  ASSERT_TRUE(ParseJson(result->body, &list).ok()) << result->body;
  ASSERT_EQ(list.jobs_size(), 1);
  EXPECT_EQ(list.jobs(0).id(), running.id());
  result = client_->Get("/v1/jobs?page_size=1");  // Newest first.
  ASSERT_TRUE(ParseJson(result->body, &list).ok());
  ASSERT_EQ(list.jobs_size(), 1);
  EXPECT_EQ(list.jobs(0).id(), queued.id());
  result = client_->Get("/v1/jobs?page_token=" + list.next_page_token());
  ASSERT_TRUE(ParseJson(result->body, &list).ok());
  ASSERT_EQ(list.jobs_size(), 1);
  EXPECT_EQ(list.jobs(0).id(), running.id());
  result = client_->Get("/v1/jobs?oldest_first=true");
  ASSERT_TRUE(ParseJson(result->body, &list).ok());
  ASSERT_EQ(list.jobs_size(), 2);
  EXPECT_EQ(list.jobs(0).id(), running.id());
  EXPECT_THAT(Error(client_->Get("/v1/jobs?state=DONE")).message,
              HasSubstr("state='DONE'"));
  EXPECT_THAT(Error(client_->Get("/v1/jobs?limit=3")).message,
              HasSubstr("unknown query parameter 'limit'"));
  EXPECT_EQ(Error(client_->Get("/v1/jobs?page_size=-1")).http, 400);

  // A queued job ends at once; a running one is stopped by its pool.
  result = client_->Delete("/v1/jobs/" + queued.id());
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200);
  v1::Job cancelled;
  ASSERT_TRUE(ParseJson(result->body, &cancelled).ok());
  EXPECT_EQ(cancelled.state(), v1::CANCELLED);
  result = client_->Delete("/v1/jobs/" + running.id());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_TRUE(pool_->CancelOf(running.id()).has_value());

  ErrorBody error = Error(client_->Get("/v1/jobs/job-99999999"));
  EXPECT_EQ(error.http, 404);
  EXPECT_EQ(error.message, "no job job-99999999");
  EXPECT_EQ(Error(client_->Delete("/v1/jobs/job-99999999")).http, 404);
}

TEST_F(RestRouterTest, ArraysListAndCancelTogetherAndPruneDeletesEnded) {
  SubmitJob(3);  // 1 of the 4 executors left.
  httplib::Result result = Submit(
      absl::StrCat(R"({"moduleDigest": ")", digest_,
                   R"(", "ranks": 1, "array": {"first": 1, "last": 3}})"));
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 201) << result->body;
  v1::Job first;
  ASSERT_TRUE(ParseJson(result->body, &first).ok());
  EXPECT_EQ(first.array_index(), 1);
  result = client_->Get("/v1/jobs?array_id=" + first.id());
  v1::ListJobsResponse list;
  ASSERT_TRUE(ParseJson(result->body, &list).ok()) << result->body;
  ASSERT_EQ(list.jobs_size(), 3);
  EXPECT_EQ(list.jobs(0).array_index(), 3);  // Newest first.
  result = client_->Delete("/v1/jobs/" + list.jobs(0).id() + "?array=true");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  for (const v1::Job& task : list.jobs()) {
    EXPECT_EQ(GetJob(task.id()).state() == v1::CANCELLED,
              task.state() == v1::QUEUED)
        << task.id();
  }
  // curl -d sends JSON as a form: the body is read all the same.
  result = client_->Post("/v1/jobs/prune", R"({"olderThan": "0s"})",
                         "application/x-www-form-urlencoded");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  v1::PruneJobsResponse pruned;
  ASSERT_TRUE(ParseJson(result->body, &pruned).ok()) << result->body;
  EXPECT_EQ(pruned.deleted(), 2);  // The cancelled tasks.
  EXPECT_EQ(Error(client_->Post("/v1/jobs/prune", R"({"olderThan": "-1s"})",
                                "application/json"))
                .http,
            400);
}

TEST_F(RestRouterTest, NamedLabelledAndRetriedSubmits) {
  SubmitJob(1);  // digest_, and a job without name or labels.
  const std::string spec = absl::StrCat(
      R"({"moduleDigest": ")", digest_,
      R"(", "ranks": 1, "name": "sweep", "labels": {"team": "cfd"}})");
  const std::string body =
      absl::StrCat(R"({"requestId": "r-1", "spec": )", spec, "}");
  httplib::Result first = client_->Post("/v1/jobs", body, "application/json");
  httplib::Result again = client_->Post("/v1/jobs", body, "application/json");
  ASSERT_TRUE(first && again);
  ASSERT_EQ(first->status, 201) << first->body;
  ASSERT_EQ(again->status, 201) << again->body;
  v1::Job a, b;
  ASSERT_TRUE(ParseJson(first->body, &a).ok());
  ASSERT_TRUE(ParseJson(again->body, &b).ok());
  EXPECT_EQ(a.id(), b.id());
  v1::ListJobsResponse list;
  httplib::Result result = client_->Get("/v1/jobs?name=sweep&label=team%3Dcfd");
  ASSERT_TRUE(result && ParseJson(result->body, &list).ok());
  ASSERT_EQ(list.jobs_size(), 1);
  EXPECT_EQ(list.jobs(0).id(), a.id());
  result = client_->Get("/v1/jobs?label=team%3Dmd");
  ASSERT_TRUE(result && ParseJson(result->body, &list).ok());
  EXPECT_EQ(list.jobs_size(), 0);
  EXPECT_THAT(Error(client_->Get("/v1/jobs?label=team")).message,
              HasSubstr("expected KEY=VALUE"));
  EXPECT_EQ(Error(client_->Get("/v1/jobs?oldest_first=maybe")).http, 400);
  const std::string other =
      absl::StrCat(R"({"requestId": "r-1", "spec": {"moduleDigest": ")",
                   digest_, R"(", "ranks": 2}})");
  EXPECT_EQ(Error(client_->Post("/v1/jobs", other, "application/json")).http,
            409);
}

// --- Auth, health, metrics, OpenAPI ----------------------------------------

TEST_F(RestRouterTest, TokensGuardTheV1Routes) {
  absl::StatusOr<TokenAuth> auth = TokenAuth::FromText("s3cret\n");
  ASSERT_TRUE(auth.ok());
  std::unique_ptr<RestServer> guarded = Serve(&*auth);
  std::unique_ptr<httplib::Client> client = Client(*guarded);

  httplib::Result result = client->Get("/v1/jobs");
  ErrorBody error = Error(result);
  EXPECT_EQ(error.http, 401);
  EXPECT_EQ(error.status, "UNAUTHENTICATED");
  EXPECT_THAT(error.message, HasSubstr("missing bearer token"));
  EXPECT_EQ(result->get_header_value("WWW-Authenticate"), "Bearer");
  error = Error(client->Get("/v1/pools", {{"Authorization", "Bearer nope"}}));
  EXPECT_EQ(error.http, 401);
  EXPECT_THAT(error.message, HasSubstr("invalid bearer token"));
  EXPECT_EQ(
      Error(client->Post("/v1/modules", TinyModule({}), "application/wasm"))
          .http,
      401);
  EXPECT_TRUE(store_->ListModules()->empty());
  EXPECT_EQ(Error(client->Post("/v1/jobs", "{}", "application/json")).http,
            401);

  client->set_bearer_token_auth("s3cret");
  result = client->Get("/v1/jobs");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  result = client->Post("/v1/modules", TinyModule({}), "application/wasm");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 201);

  std::unique_ptr<httplib::Client> anonymous = Client(*guarded);
  for (const char* open : {"/healthz", "/metrics", "/v1/openapi.json"}) {
    result = anonymous->Get(open);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200) << open;
  }
  guarded->Shutdown();
}

// Regression (issue 15): any token could drain pools and see every job.
TEST_F(RestRouterTest, RolesDecideWhoMayDoWhat) {
  absl::StatusOr<TokenAuth> auth = TokenAuth::FromText(
      "alice-0123456789abcdef alice user\n"
      "bob-0123456789abcdef bob user\n"
      "pool-0123456789abcdef pool-a pool\n"
      "root-0123456789abcdef ops admin\n");
  ASSERT_TRUE(auth.ok()) << auth.status();
  std::unique_ptr<RestServer> guarded = Serve(&*auth);
  auto as = [&](const std::string& token) {
    std::unique_ptr<httplib::Client> client = Client(*guarded);
    client->set_bearer_token_auth(token);
    return client;
  };
  auto alice = as("alice-0123456789abcdef");
  auto bob = as("bob-0123456789abcdef");
  auto pool = as("pool-0123456789abcdef");
  auto admin = as("root-0123456789abcdef");
  std::string digest = head_->Upload(TinyModule({"MPI_Init"}));
  httplib::Result submitted = alice->Post(
      "/v1/jobs",
      R"({"spec": {"moduleDigest": ")" + digest + R"(", "ranks": 1}})",
      "application/json");
  ASSERT_TRUE(submitted);
  ASSERT_EQ(submitted->status, 201) << submitted->body;
  v1::Job job;
  ASSERT_TRUE(ParseJson(submitted->body, &job).ok());
  EXPECT_EQ(job.owner(), "alice");
  const std::string path = "/v1/jobs/" + job.id();
  EXPECT_EQ(alice->Get(path)->status, 200);
  EXPECT_EQ(Error(bob->Get(path)).http, 404);
  EXPECT_EQ(Error(bob->Delete(path)).http, 404);
  EXPECT_EQ(Error(bob->Get(path + "/logs")).http, 404);
  EXPECT_EQ(bob->Get("/v1/jobs")->body.find(job.id()), std::string::npos);
  EXPECT_NE(admin->Get("/v1/jobs")->body.find(job.id()), std::string::npos);
  // Pools: a pool token is no user; only admins drain.
  ErrorBody denied = Error(pool->Get("/v1/jobs"));
  EXPECT_EQ(denied.http, 403);
  EXPECT_THAT(denied.message, HasSubstr("needs the user role"));
  FakePool fake(head_->pools.get());
  ASSERT_TRUE(fake.Attach(3).ok());
  const std::string drain = "/v1/pools/" + fake.id() + "/drain";
  denied = Error(alice->Post(drain, "", "application/json"));
  EXPECT_EQ(denied.http, 403);
  EXPECT_THAT(denied.message, HasSubstr("'alice' (user) may not drain pools"));
  EXPECT_EQ(pool->Post(drain, "", "application/json")->status, 403);
  EXPECT_EQ(alice->Get("/v1/pools")->status, 200);
  EXPECT_EQ(admin->Post(drain, "", "application/json")->status, 200);
  EXPECT_EQ(Error(alice->Delete("/v1/modules/" + digest)).http, 403);
  guarded->Shutdown();
}

TEST_F(RestRouterTest, HealthAndUnknownRoutes) {
  httplib::Result result = client_->Get("/healthz");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "ok\n");
  ErrorBody error = Error(client_->Get("/v1/nothing"));
  EXPECT_EQ(error.http, 404);
  EXPECT_EQ(error.message, "no route GET /v1/nothing (see /v1/openapi.json)");
  EXPECT_EQ(Error(client_->Get("/healthz?verbose=1")).http, 400);
}

TEST_F(RestRouterTest, MetricsParseAndFollowTheHead) {
  std::map<std::string, double> before = Metrics();
  EXPECT_EQ(before["wasmhpc_jobs_submitted_total"], 0);
  EXPECT_EQ(before["wasmhpc_pools"], 1);
  EXPECT_EQ(before["wasmhpc_modules_stored"], 0);

  v1::Job job = SubmitJob(3);
  std::map<std::string, double> after = Metrics();
  EXPECT_EQ(after["wasmhpc_jobs_submitted_total"], 1);
  EXPECT_EQ(after["wasmhpc_jobs{state=\"starting\"}"], 1);
  EXPECT_EQ(after["wasmhpc_modules_stored"], 1);
  const std::string ranks = "wasmhpc_pool_ranks{pool=\"" + pool_->id();
  EXPECT_EQ(after[ranks + "\",state=\"busy\"}"], 3);
  EXPECT_EQ(after[ranks + "\",state=\"free\"}"], 1);
  EXPECT_EQ(after[Requests("POST", "/v1/jobs", 201)], 1);
  EXPECT_EQ(after[Requests("POST", "/v1/modules", 201)], 1);
  EXPECT_EQ(after[Requests("GET", "/metrics", 200)], 1);

  pool_->Started(job.id());
  pool_->Succeeded(job.id(), 3);
  after = Metrics();
  EXPECT_EQ(after["wasmhpc_jobs{state=\"starting\"}"], 0);
  EXPECT_EQ(after["wasmhpc_jobs_ended_total{state=\"succeeded\"}"], 1);
}

// Every route is documented, and every documented operation is a route:
// adding a route without describing it fails here.
TEST_F(RestRouterTest, OpenApiDocumentsExactlyTheRoutes) {
  httplib::Result result = client_->Get("/v1/openapi.json");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200);
  EXPECT_EQ(result->body, kOpenApiJson);
  google::protobuf::Struct document;
  ASSERT_TRUE(ParseJson(result->body, &document).ok());
  EXPECT_EQ(document.fields().at("openapi").string_value().substr(0, 4),
            "3.0.");
  std::set<std::string> documented, open_documented;
  for (const auto& [path, item] :
       document.fields().at("paths").struct_value().fields()) {
    for (const auto& [method, operation] : item.struct_value().fields()) {
      if (method == "parameters") continue;
      const std::string name = absl::AsciiStrToUpper(method) + " " + path;
      documented.insert(name);
      const auto& fields = operation.struct_value().fields();
      auto security = fields.find("security");
      if (security != fields.end() &&
          security->second.list_value().values_size() == 0) {
        open_documented.insert(name);
      }
    }
  }
  std::set<std::string> routes, open_routes;
  for (const RestRoute& route : RestRouter::Routes()) {
    routes.insert(route.method + " " + route.path);
    if (route.open) open_routes.insert(route.method + " " + route.path);
  }
  EXPECT_EQ(documented, routes);
  EXPECT_EQ(open_documented, open_routes);
  EXPECT_EQ(routes.size(), 16u);
}

}  // namespace
}  // namespace wasmhpc::server
