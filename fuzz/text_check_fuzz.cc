// The head's text checks on arbitrary bytes. Invariants: IsValidUtf8 agrees
// with protobuf's UTF-8 check (what gRPC refuses to send); CutUtf8 returns a
// prefix of at most max_bytes, and a valid one when its input is valid;
// CheckName accepts only short, valid text without control characters.
#include <google/protobuf/stubs/common.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "server/handlers/text_check.h"

namespace server = wasmhpc::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t max_bytes = data[0];
  const absl::string_view text(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  const bool valid = server::IsValidUtf8(text);
  FUZZ_CHECK(valid == google::protobuf::internal::IsStructurallyValidUTF8(
                          text.data(), static_cast<int>(text.size())));

  for (size_t max : {max_bytes, text.size() / 2, size_t{0}, size_t{1}}) {
    const std::string cut = server::CutUtf8(text, max);
    FUZZ_CHECK(absl::StartsWith(text, cut));
    FUZZ_CHECK(cut.size() <= max || cut.size() == text.size());
    if (valid) {
      FUZZ_CHECK(server::IsValidUtf8(cut));
      // The longest such prefix: at most 3 bytes (one character) shorter.
      FUZZ_CHECK(cut.size() + 3 >= std::min(max, text.size()));
    }
  }

  const absl::Status name = server::CheckName("the name", text, max_bytes);
  if (name.ok()) {
    FUZZ_CHECK(valid && text.size() <= max_bytes);
    for (char c : text) {
      FUZZ_CHECK(static_cast<uint8_t>(c) >= 0x20 && c != 0x7F);
    }
  } else {
    FUZZ_CHECK(absl::IsInvalidArgument(name));
    FUZZ_CHECK(absl::StartsWith(name.message(), "the name "));
  }
  return 0;
}
