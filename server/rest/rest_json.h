// JSON bodies of the REST API: the proto3 JSON mapping of the wasmhpc.v1
// messages (lowerCamelCase field names; proto field names are accepted on
// input too; enums by name; Durations as "30s"; Timestamps in RFC 3339).
#ifndef WASMHPC_SERVER_REST_REST_JSON_H_
#define WASMHPC_SERVER_REST_REST_JSON_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace wasmhpc::server {

// Parses `json` into *message (cleared first). Unknown fields are refused:
// InvalidArgument "invalid JSON body: (spec) foo: Cannot find field." names
// the field; a syntax error or a wrong type is InvalidArgument too.
absl::Status ParseJson(absl::string_view json,
                       google::protobuf::Message* message);

// `message` as JSON on one line, primitive fields printed even when they
// hold their default (a job's "exitCode": 0 is shown).
std::string ToJson(const google::protobuf::Message& message);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_REST_JSON_H_
