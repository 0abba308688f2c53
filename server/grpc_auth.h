// The gRPC transport's one authorization point: every wasmhpc.v1 method
// calls Authorize first with the access it needs (caller.h); the handlers
// then get the Caller.
#ifndef WASMHPC_SERVER_GRPC_AUTH_H_
#define WASMHPC_SERVER_GRPC_AUTH_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/caller.h"
#include "server/token_auth.h"

namespace wasmhpc::server {

// The authenticated caller, if it has the access `what` needs. Errors:
// Unauthenticated (TokenAuth::Authenticate), PermissionDenied (Permit).
inline absl::StatusOr<Caller> Authorize(const TokenAuth& auth,
                                        const grpc::ServerContext& context,
                                        Access access, absl::string_view what) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  std::string value;
  if (it != metadata.end()) value.assign(it->second.data(), it->second.size());
  absl::StatusOr<Caller> caller = auth.Authenticate(value);
  if (!caller.ok()) return caller.status();
  if (absl::Status s = Permit(*caller, access, what); !s.ok()) return s;
  return caller;
}

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_GRPC_AUTH_H_
