// Ages on command lines: a count of days, hours, minutes or seconds ("7d",
// "12h", "30m", "90s"), as the head's --retain-jobs and wasmhpc-cli's
// jobs prune --older-than take them.
//
// Thread safety: pure functions, thread safe.
#ifndef WASMHPC_COMMON_AGE_H_
#define WASMHPC_COMMON_AGE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace wasmhpc {

// The age `text` names: a count of at least `min` followed by d, h, m or s.
// InvalidArgument "TEXT: want a count of d, h, m or s (7d, 12h)" otherwise
// ("a positive count" when `min` is 1).
absl::StatusOr<absl::Duration> ParseAge(absl::string_view text, int min = 0);

}  // namespace wasmhpc

#endif  // WASMHPC_COMMON_AGE_H_
