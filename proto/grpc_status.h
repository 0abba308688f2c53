// The one place where absl::Status and grpc::Status meet, for the head, the
// pool and the CLI: the codes are the same numbers (0..16), messages pass
// through unchanged.
#ifndef WASMHPC_PROTO_GRPC_STATUS_H_
#define WASMHPC_PROTO_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace wasmhpc {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status ToAbslStatus(const grpc::Status& status);

}  // namespace wasmhpc

#endif  // WASMHPC_PROTO_GRPC_STATUS_H_
