#include "engine/guest_memory.h"

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace wasmhpc::engine {

absl::StatusOr<absl::Span<uint8_t>> GuestMemory::Span(
    uint64_t offset, uint64_t length, std::string_view what) const {
  uint8_t* data = Data(offset, length);
  if (data == nullptr) {
    return absl::OutOfRangeError(
        absl::StrFormat("%s%s[0x%x,+%u) exceeds linear memory of %u bytes",
                        what, what.empty() ? "" : " ", offset, length, size_));
  }
  return absl::Span<uint8_t>(data, length);
}

}  // namespace wasmhpc::engine
