// The gRPC authorization table and interceptor: every served method is in
// the table, a method missing from it is refused (fail closed), and a real
// server refuses calls before their handler touches anything.
#include "server/grpc/grpc_auth.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "server/grpc/job_service.h"
#include "server/handlers/request_log.h"

namespace wasmhpc::server {
namespace {

using ::testing::HasSubstr;

constexpr char kTokens[] = "user-token-0123456789 alice user\n";

const GrpcMethodAccess* Find(absl::Span<const GrpcMethodAccess> table,
                             absl::string_view method) {
  for (const GrpcMethodAccess& row : table) {
    if (row.method == method) return &row;
  }
  return nullptr;
}

TEST(GrpcAuthTable, EveryWasmhpcMethodNeedsAnAccess) {
  int methods = 0;
  for (const char* name : {"wasmhpc.v1.ModuleService", "wasmhpc.v1.JobService",
                           "wasmhpc.v1.PoolService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string method =
          absl::StrCat("/", name, "/", service->method(i)->name());
      const GrpcMethodAccess* row = Find(GrpcMethodTable(), method);
      ASSERT_NE(row, nullptr) << method << " is missing from the table";
      EXPECT_TRUE(row->access.has_value()) << method << " is open";
      EXPECT_FALSE(row->what.empty()) << method;
      ++methods;
    }
  }
  EXPECT_EQ(methods, 17);
}

TEST(GrpcAuthTable, MethodMissingFromTheTableIsRefused) {
  const TokenAuth local;  // Auth off: the local caller has every role.
  absl::StatusOr<Caller> caller = AuthorizeGrpcCall(
      local, GrpcMethodTable(), "/wasmhpc.v1.JobService/Frobnicate", "");
  EXPECT_TRUE(absl::IsPermissionDenied(caller.status())) << caller.status();
  EXPECT_THAT(caller.status().message(), HasSubstr("not open to callers"));
  EXPECT_TRUE(AuthorizeGrpcCall(local, GrpcMethodTable(),
                                "/wasmhpc.v1.JobService/List", "")
                  .ok());
}

TEST(GrpcAuthTable, TokensAndRolesDecide) {
  const TokenAuth auth = *TokenAuth::FromText(kTokens);
  const auto table = GrpcMethodTable();
  EXPECT_TRUE(absl::IsUnauthenticated(
      AuthorizeGrpcCall(auth, table, "/wasmhpc.v1.JobService/List", "")
          .status()));
  absl::StatusOr<Caller> alice =
      AuthorizeGrpcCall(auth, table, "/wasmhpc.v1.JobService/List",
                        "Bearer user-token-0123456789");
  ASSERT_TRUE(alice.ok()) << alice.status();
  EXPECT_EQ(alice->name, "alice");
  absl::StatusOr<Caller> drain =
      AuthorizeGrpcCall(auth, table, "/wasmhpc.v1.PoolService/Drain",
                        "Bearer user-token-0123456789");
  EXPECT_TRUE(absl::IsPermissionDenied(drain.status()));
  EXPECT_THAT(drain.status().message(), HasSubstr("may not drain pools"));
  // Health probes stay open.
  EXPECT_TRUE(
      AuthorizeGrpcCall(auth, table, "/grpc.health.v1.Health/Check", "").ok());
}

// A server whose table lacks JobService/List: the call is refused by the
// interceptor; the service's handler is null, so reaching it would crash.
TEST(GrpcAuthInterceptor, RefusesBeforeTheHandler) {
  std::vector<GrpcMethodAccess> table;
  for (const GrpcMethodAccess& row : GrpcMethodTable()) {
    if (row.method != "/wasmhpc.v1.JobService/List") table.push_back(row);
  }
  const TokenAuth auth = *TokenAuth::FromText(kTokens);
  RequestCounter counted;
  GrpcAuthorizer authorizer(&auth, table, &counted);
  JobService service(/*handler=*/nullptr, &authorizer);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&service);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(authorizer.Factory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto stub = v1::JobService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer user-token-0123456789");
    v1::ListJobsResponse list;
    grpc::Status status = stub->List(&context, {}, &list);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(status.error_message(), HasSubstr("not open to callers"));
  }
  {
    grpc::ClientContext context;
    v1::Job job;
    grpc::Status status = stub->Get(&context, {}, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  server->Shutdown();
  // Every answered call is counted by method and code.
  EXPECT_THAT(counted.Snapshot(),
              ::testing::UnorderedElementsAre(
                  ::testing::Pair(
                      RequestCounter::Key("grpc", "/wasmhpc.v1.JobService/List",
                                          "PERMISSION_DENIED"),
                      1),
                  ::testing::Pair(
                      RequestCounter::Key("grpc", "/wasmhpc.v1.JobService/Get",
                                          "UNAUTHENTICATED"),
                      1)));
}

TEST(FailedRequestLine, SaysWhatWhoAndTheAnswerEscapingWhatCameIn) {
  EXPECT_EQ(FailedRequestLine("REST POST /v1/jobs", "alice",
                              absl::InvalidArgumentError("ranks must be at "
                                                         "least 1 (got 0)")),
            "request failed: REST POST /v1/jobs by alice: INVALID_ARGUMENT: "
            "ranks must be at least 1 (got 0)");
  EXPECT_EQ(FailedRequestLine("REST GET /v1/jobs/x\nINFO forged", "",
                              absl::NotFoundError("no job x\nINFO forged")),
            "request failed: REST GET /v1/jobs/x\\nINFO forged by anonymous: "
            "NOT_FOUND: no job x\\nINFO forged");
  EXPECT_LT(FailedRequestLine(std::string(100000, 'a'), "",
                              absl::UnknownError(std::string(100000, 'b')))
                .size(),
            1200u);
}

}  // namespace
}  // namespace wasmhpc::server
