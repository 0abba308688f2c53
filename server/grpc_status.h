// The one place where absl::Status and grpc::Status meet: the codes are the
// same numbers, messages pass through unchanged.
#ifndef WASMHPC_SERVER_GRPC_STATUS_H_
#define WASMHPC_SERVER_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace wasmhpc::server {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status ToAbslStatus(const grpc::Status& status);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_GRPC_STATUS_H_
