#include "common/age.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wasmhpc {

absl::StatusOr<absl::Duration> ParseAge(absl::string_view text, int min) {
  absl::Duration unit;
  switch (text.empty() ? '\0' : text.back()) {
    case 'd':
      unit = absl::Hours(24);
      break;
    case 'h':
      unit = absl::Hours(1);
      break;
    case 'm':
      unit = absl::Minutes(1);
      break;
    case 's':
      unit = absl::Seconds(1);
      break;
    default:
      break;
  }
  int64_t n = 0;
  if (unit == absl::ZeroDuration() ||
      !absl::SimpleAtoi(text.substr(0, text.size() - 1), &n) || n < min ||
      n > int64_t{1} << 40) {
    return absl::InvalidArgumentError(
        absl::StrCat(text, ": want a ", min > 0 ? "positive " : "",
                     "count of d, h, m or s (7d, 12h)"));
  }
  return n * unit;
}

}  // namespace wasmhpc
