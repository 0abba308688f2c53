#include "worker/engine/guest_memory.h"

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace wasmhpc::engine {

absl::StatusOr<absl::Span<uint8_t>> GuestMemory::Span(
    uint64_t offset, uint64_t length, std::string_view what) const {
  const uint64_t limit = size();
  if (offset > limit || length > limit - offset) {
    return absl::OutOfRangeError(absl::StrFormat(
        "%s%s[0x%x,+%u) exceeds linear memory of %u bytes", what,
        what.empty() ? "" : " ", offset, length, limit));
  }
  return absl::Span<uint8_t>(base() + offset, length);
}

}  // namespace wasmhpc::engine
