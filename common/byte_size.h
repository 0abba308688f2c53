// Sizes on command lines: "65536", "64K", "64M", "2G" (binary multiples,
// either case), as the head's --max-log-bytes and wasmhpc-cli's --memory
// take them.
//
// Thread safety: pure functions, thread safe.
#ifndef WASMHPC_COMMON_BYTE_SIZE_H_
#define WASMHPC_COMMON_BYTE_SIZE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wasmhpc {

// The number of bytes `text` names. InvalidArgument "TEXT: want a byte
// count, optionally with K, M or G (64M)" for anything else: empty, negative,
// other suffixes, or more than 2^64-1 bytes.
absl::StatusOr<uint64_t> ParseByteSize(absl::string_view text);

}  // namespace wasmhpc

#endif  // WASMHPC_COMMON_BYTE_SIZE_H_
