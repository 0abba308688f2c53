// Query parameters and JSON answers of the REST routes.
#ifndef WASMHPC_SERVER_REST_REST_PARAMS_H_
#define WASMHPC_SERVER_REST_REST_PARAMS_H_

#include <httplib.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "google/protobuf/message.h"

namespace wasmhpc::server {

// OK if every query parameter of `request` is one of `known`; else
// InvalidArgument "unknown query parameter 'x' (known: a, b)".
absl::Status CheckParams(const httplib::Request& request,
                         std::initializer_list<absl::string_view> known);

// The parameter as a number in [min, max], or `fallback` when absent.
// InvalidArgument naming the parameter for anything else.
absl::StatusOr<int64_t> IntParam(const httplib::Request& request,
                                 const std::string& name, int64_t fallback,
                                 int64_t min, int64_t max);

// "1", "true", "" (present without a value) are true; "0", "false" false;
// absent is `fallback`. InvalidArgument for anything else.
absl::StatusOr<bool> BoolParam(const httplib::Request& request,
                               const std::string& name, bool fallback);

// The query's label=KEY=VALUE parameters, into `labels`. InvalidArgument
// naming the parameter for one without '=' or with an empty KEY.
absl::Status LabelParams(
    const httplib::Request& request,
    google::protobuf::Map<std::string, std::string>* labels);

// The path parameter matched by the route's first "{...}".
inline std::string PathParam(const httplib::Request& request) {
  return request.matches.size() > 1 ? request.matches[1].str() : "";
}

// Reads and drops the rest of a request body that will not be used, so the
// client, still sending, gets to read the error answer; gives up past
// `limit` bytes (the connection is then closed under the client).
inline constexpr size_t kMaxDrainBytes = size_t{16} << 20;
void DrainBody(const httplib::ContentReader& body,
               size_t limit = kMaxDrainBytes);

// Answers `message` as JSON (rest_json.h) with `http_status`.
void SetJson(httplib::Response& response,
             const google::protobuf::Message& message, int http_status = 200);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_REST_PARAMS_H_
