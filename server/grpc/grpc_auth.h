// The gRPC transport's one authorization point (REST's is its route table,
// rest_router.h): a server interceptor looks each call's method up in ONE
// table (kGrpcMethods: the access it needs, caller.h) and authenticates and
// authorizes the call before its handler runs. A method missing from the
// table is refused (fail closed). The handler then takes the Caller from
// GrpcAuthorizer::CallerOf (it needs it to scope what a user sees); for a
// refused call that is the refusal, which the interceptor also puts in
// place of whatever status the handler returns. The interceptor also counts
// answered calls and logs failed ones.
//
// Thread safety: all methods may be called from any thread.
#ifndef WASMHPC_SERVER_GRPC_GRPC_AUTH_H_
#define WASMHPC_SERVER_GRPC_GRPC_AUTH_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "server/auth/token_auth.h"
#include "server/handlers/caller.h"
#include "server/handlers/request_counter.h"

namespace wasmhpc::server {

// One gRPC method: its full name ("/wasmhpc.v1.JobService/Submit"), the
// access it needs (nullopt: open to anyone, unauthenticated: health checks
// and reflection) and the operation the refusal names ("submit jobs").
struct GrpcMethodAccess {
  absl::string_view method;
  std::optional<Access> access;
  absl::string_view what;
};

// Every method the head serves.
absl::Span<const GrpcMethodAccess> GrpcMethodTable();

// The decision for one call of `method` whose authorization header is
// `authorization` (empty: none): the Caller, or PermissionDenied for a
// method not in `table`, Unauthenticated / PermissionDenied as
// TokenAuth::Authenticate and Permit say. An open method's caller has no
// name and no roles.
absl::StatusOr<Caller> AuthorizeGrpcCall(
    const TokenAuth& auth, absl::Span<const GrpcMethodAccess> table,
    absl::string_view method, absl::string_view authorization);

class GrpcAuthorizer {
 public:
  // REQUIRES: `auth` outlives this and every server built with Factory().
  // `requests` (optional, not owned): counts every answered call, by
  // method and status code. Every failed call is also logged (one line,
  // request_log.h).
  explicit GrpcAuthorizer(
      const TokenAuth* auth,
      absl::Span<const GrpcMethodAccess> table = GrpcMethodTable(),
      RequestCounter* requests = nullptr)
      : auth_(auth), table_(table), requests_(requests) {}

  // The interceptor factory for ServerBuilder::
  // experimental().SetInterceptorCreators.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  Factory();

  // The caller of the call of `context`, as the interceptor decided; its
  // refusal; PermissionDenied if no decision was made (no interceptor).
  absl::StatusOr<Caller> CallerOf(const grpc::ServerContextBase& context) const;

 private:
  class Interceptor;
  class InterceptorFactory;

  const TokenAuth* const auth_;
  const absl::Span<const GrpcMethodAccess> table_;
  RequestCounter* const requests_;
  mutable absl::Mutex mu_;
  // The decision of each call in progress.
  absl::flat_hash_map<const grpc::ServerContextBase*, absl::StatusOr<Caller>>
      calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_GRPC_GRPC_AUTH_H_
