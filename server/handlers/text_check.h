// Checks of text that arrives over the network before the head stores it:
// a value stored once is listed to every client, so one bad byte would break
// every listing (gRPC refuses to send a proto3 string that is not UTF-8).
#ifndef WASMHPC_SERVER_HANDLERS_TEXT_CHECK_H_
#define WASMHPC_SERVER_HANDLERS_TEXT_CHECK_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"

namespace google::protobuf {
class Message;
}

namespace wasmhpc::server {

// Well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// The longest prefix of UTF-8 `text` of at most `max_bytes` that ends on a
// character boundary.
std::string CutUtf8(absl::string_view text, size_t max_bytes);

// OK for UTF-8 of at most `max_bytes` without control characters (below
// U+0020, and U+007F); else InvalidArgument naming `what`.
absl::Status CheckName(absl::string_view what, absl::string_view value,
                       size_t max_bytes);

// OK for at most kMaxLabels labels whose keys and values pass CheckName
// with kMaxNameBytes (api_limits.h); else InvalidArgument naming `owner`
// ("a module", "a job") or the label.
absl::Status CheckLabels(
    absl::string_view owner,
    const google::protobuf::Map<std::string, std::string>& labels);

// OK when every string field of `message` (nested messages, repeated
// fields and maps included; not bytes fields) is UTF-8; else
// InvalidArgument naming the field.
absl::Status CheckUtf8Fields(const google::protobuf::Message& message);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_TEXT_CHECK_H_
