// YAML for `wasmhpc-cli -o yaml`: the same data as `-o json`, in YAML.
//
// The message goes through protobuf's JSON mapping first (ToJson: names in
// lowerCamelCase, enums by name, 64-bit integers and timestamps as strings,
// zero values printed), so YAML and JSON never disagree; the YAML keeps the
// fields in declaration order and sorts map keys. Strings that YAML 1.1 or
// 1.2 would read as something else ("yes", "null", "1e3", "0x10", ": ",
// " #", leading or trailing blanks, several lines) are double-quoted with
// escapes; the rest are plain.
//
// Thread safety: pure functions, thread safe.
#ifndef WASMHPC_CLIENT_CLI_YAML_FORMAT_H_
#define WASMHPC_CLIENT_CLI_YAML_FORMAT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace wasmhpc::cli {

// The message as a YAML block mapping, each line ending in '\n' ("{}\n"
// for a message whose JSON is an empty object). Internal when protobuf
// cannot print it as JSON (never for wasmhpc.v1 messages).
absl::StatusOr<std::string> ToYaml(const google::protobuf::Message& message);

// `text` as a YAML scalar: plain when YAML reads it back as this string,
// else double-quoted ("\"yes\"", "\"a\\nb\"").
std::string YamlString(absl::string_view text);

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_YAML_FORMAT_H_
