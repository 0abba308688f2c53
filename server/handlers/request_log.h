// The head's log line for a request that failed, the same for both
// transports (REST: rest_router.cc, gRPC: grpc_auth.cc): what was asked,
// by whom, and the answer. What came from the network is cut and escaped,
// so that a request cannot forge or flood log lines.
#ifndef WASMHPC_SERVER_HANDLERS_REQUEST_LOG_H_
#define WASMHPC_SERVER_HANDLERS_REQUEST_LOG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace wasmhpc::server {

// "request failed: REST POST /v1/jobs by alice: INVALID_ARGUMENT: ranks
// must be at least 1 (got 0)". `what`: the transport and the method or
// route; `caller`: its name ("" when not authenticated: "by anonymous").
inline std::string FailedRequestLine(absl::string_view what,
                                     absl::string_view caller,
                                     const absl::Status& status) {
  constexpr size_t kMaxBytes = 512;
  auto clean = [](absl::string_view text) {
    return absl::CHexEscape(text.substr(0, kMaxBytes));
  };
  return absl::StrCat("request failed: ", clean(what), " by ",
                      caller.empty() ? "anonymous" : clean(caller), ": ",
                      absl::StatusCodeToString(status.code()), ": ",
                      clean(status.message()));
}

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_REQUEST_LOG_H_
