// Bearer-token check of a gRPC call: reads the call's authorization
// metadata and asks TokenAuth. Used first thing by every wasmhpc.v1 method.
#ifndef WASMHPC_SERVER_GRPC_AUTH_H_
#define WASMHPC_SERVER_GRPC_AUTH_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/status.h"
#include "server/token_auth.h"

namespace wasmhpc::server {

// OK, or Unauthenticated (see TokenAuth::Check).
inline absl::Status Authorize(const TokenAuth& auth,
                              const grpc::ServerContext& context) {
  if (!auth.enabled()) return absl::OkStatus();
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  std::string value;
  if (it != metadata.end()) value.assign(it->second.data(), it->second.size());
  return auth.Check(value);
}

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_GRPC_AUTH_H_
