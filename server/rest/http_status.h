// The one place where absl::Status meets HTTP: status codes for the REST
// router and its JSON error body. Messages pass through unchanged (they are
// written for users).
#ifndef WASMHPC_SERVER_REST_HTTP_STATUS_H_
#define WASMHPC_SERVER_REST_HTTP_STATUS_H_

#include <string>

#include "absl/status/status.h"

namespace wasmhpc::server {

// The HTTP status for a status code (gRPC's HTTP mapping, with 412 for
// FAILED_PRECONDITION and 499 for CANCELLED):
//   OK 200, INVALID_ARGUMENT 400, OUT_OF_RANGE 400, UNAUTHENTICATED 401,
//   PERMISSION_DENIED 403, NOT_FOUND 404, ALREADY_EXISTS 409, ABORTED 409,
//   FAILED_PRECONDITION 412, RESOURCE_EXHAUSTED 429, CANCELLED 499,
//   UNKNOWN 500, INTERNAL 500, DATA_LOSS 500, UNIMPLEMENTED 501,
//   UNAVAILABLE 503, DEADLINE_EXCEEDED 504.
int HttpStatusOf(absl::StatusCode code);

// `status` with an HTTP status that overrides the mapping above (say 413
// for an upload over the size limit, where the code is RESOURCE_EXHAUSTED).
absl::Status WithHttpStatus(absl::Status status, int http_status);

// The HTTP status of `status`: 507 for the store's full disk (IsDiskFull),
// its override if it has one, else the mapping of its code.
int HttpStatusOf(const absl::Status& status);

// The error body: {"code": <gRPC code number>, "status": "NOT_FOUND",
// "message": "..."} on one line. REQUIRES: !status.ok().
std::string ErrorJson(const absl::Status& status);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_HTTP_STATUS_H_
