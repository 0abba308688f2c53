#include "server/grpc/grpc_auth.h"

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "proto/grpc_status.h"
#include "server/handlers/request_log.h"

namespace wasmhpc::server {
namespace {

constexpr GrpcMethodAccess kGrpcMethods[] = {
    {"/wasmhpc.v1.ModuleService/Upload", Access::kUser, "upload modules"},
    {"/wasmhpc.v1.ModuleService/Get", Access::kUser, "read modules"},
    {"/wasmhpc.v1.ModuleService/List", Access::kUser, "list modules"},
    {"/wasmhpc.v1.ModuleService/Delete", Access::kUser, "delete modules"},
    {"/wasmhpc.v1.JobService/Submit", Access::kUser, "submit jobs"},
    {"/wasmhpc.v1.JobService/Get", Access::kUser, "read jobs"},
    {"/wasmhpc.v1.JobService/List", Access::kUser, "list jobs"},
    {"/wasmhpc.v1.JobService/Cancel", Access::kUser, "cancel jobs"},
    {"/wasmhpc.v1.JobService/Watch", Access::kUser, "follow jobs"},
    {"/wasmhpc.v1.JobService/Prune", Access::kUser, "delete jobs"},
    {"/wasmhpc.v1.PoolService/Attach", Access::kPool, "attach pools"},
    {"/wasmhpc.v1.PoolService/FetchModule", Access::kPool,
     "fetch modules for pools"},
    {"/wasmhpc.v1.PoolService/UploadCode", Access::kPool,
     "upload compiled code"},
    {"/wasmhpc.v1.PoolService/ReportFailure", Access::kPool,
     "report pool failures"},
    {"/wasmhpc.v1.PoolService/List", Access::kAny, "list pools"},
    {"/wasmhpc.v1.PoolService/Drain", Access::kAdmin, "drain pools"},
    {"/wasmhpc.v1.PoolService/Resume", Access::kAdmin, "resume pools"},
    // Probes and tools: open, as they were before authorization existed.
    {"/grpc.health.v1.Health/Check", std::nullopt, ""},
    {"/grpc.health.v1.Health/Watch", std::nullopt, ""},
    {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
     std::nullopt, ""},
};

}  // namespace

absl::Span<const GrpcMethodAccess> GrpcMethodTable() { return kGrpcMethods; }

absl::StatusOr<Caller> AuthorizeGrpcCall(
    const TokenAuth& auth, absl::Span<const GrpcMethodAccess> table,
    absl::string_view method, absl::string_view authorization) {
  const GrpcMethodAccess* row = nullptr;
  for (const GrpcMethodAccess& entry : table) {
    if (entry.method == method) row = &entry;
  }
  if (row == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("method ", method, " is not open to callers"));
  }
  if (!row->access.has_value()) return Caller{};
  absl::StatusOr<Caller> caller = auth.Authenticate(authorization);
  if (!caller.ok()) return caller.status();
  if (absl::Status s = Permit(*caller, *row->access, row->what); !s.ok()) {
    return s;
  }
  return caller;
}

// Decides at the call's initial metadata; puts a refusal in place of the
// handler's status; forgets the call when it ends.
class GrpcAuthorizer::Interceptor final
    : public grpc::experimental::Interceptor {
 public:
  Interceptor(GrpcAuthorizer* authorizer,
              grpc::experimental::ServerRpcInfo* info)
      : authorizer_(authorizer), info_(info) {}
  ~Interceptor() override {
    absl::MutexLock lock(&authorizer_->mu_);
    authorizer_->calls_.erase(info_->server_context());
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Decide(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      if (refusal_.has_value()) methods->ModifySendStatus(*refusal_);
      Record(refusal_.value_or(methods->GetSendStatus()));
    }
    methods->Proceed();
  }

 private:
  void Decide(const std::multimap<grpc::string_ref, grpc::string_ref>& md) {
    std::string authorization;
    auto it = md.find("authorization");
    if (it != md.end())
      authorization.assign(it->second.data(), it->second.size());
    absl::StatusOr<Caller> caller =
        AuthorizeGrpcCall(*authorizer_->auth_, authorizer_->table_,
                          info_->method(), authorization);
    if (!caller.ok()) refusal_ = ToGrpcStatus(caller.status());
    absl::MutexLock lock(&authorizer_->mu_);
    authorizer_->calls_.insert_or_assign(info_->server_context(),
                                         std::move(caller));
  }

  // Counts the answer; logs a failure with the caller's name.
  void Record(const grpc::Status& status) {
    const absl::Status answer = ToAbslStatus(status);
    if (authorizer_->requests_ != nullptr) {
      authorizer_->requests_->Count("grpc", info_->method(),
                                    absl::StatusCodeToString(answer.code()));
    }
    if (answer.ok()) return;
    std::string caller;
    {
      absl::MutexLock lock(&authorizer_->mu_);
      auto it = authorizer_->calls_.find(info_->server_context());
      if (it != authorizer_->calls_.end() && it->second.ok()) {
        caller = it->second->name;
      }
    }
    LogWarning(FailedRequestLine(absl::StrCat("gRPC ", info_->method()), caller,
                                 answer));
  }

  GrpcAuthorizer* const authorizer_;
  grpc::experimental::ServerRpcInfo* const info_;
  std::optional<grpc::Status> refusal_;
};

class GrpcAuthorizer::InterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit InterceptorFactory(GrpcAuthorizer* authorizer)
      : authorizer_(authorizer) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new Interceptor(authorizer_, info);
  }

 private:
  GrpcAuthorizer* const authorizer_;
};

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
GrpcAuthorizer::Factory() {
  return std::make_unique<InterceptorFactory>(this);
}

absl::StatusOr<Caller> GrpcAuthorizer::CallerOf(
    const grpc::ServerContextBase& context) const {
  absl::MutexLock lock(&mu_);
  auto it = calls_.find(&context);
  if (it == calls_.end()) {
    return absl::PermissionDeniedError("call was not authorized");
  }
  return it->second;
}

}  // namespace wasmhpc::server
