// The log of the wasmhpc daemons and tools: one line per event on stderr,
//   2025-01-31T12:00:00.123+00:00 [info] wasmhpc-head: data in /var/lib/...
// (local time with its offset, the level, the program, the message). Each
// line is written with one write(2), so processes sharing a stderr (the
// ranks of a pool under mpirun) never interleave within a line.
//
// This is diagnostics only: what a program prints for its user (the CLI's
// results, a guest's output, the head's "listening on" lines that scripts
// read) goes to stdout/stderr directly, byte for byte.
//
// Thread safety: every function may be called from any thread.
#ifndef WASMHPC_COMMON_LOGGING_H_
#define WASMHPC_COMMON_LOGGING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace wasmhpc {

// Names the program on every line ("wasmhpc-head"). Call once, first thing
// in main; until then lines say "wasmhpc".
void InitLogging(absl::string_view program);

void LogInfo(absl::string_view message);
void LogWarning(absl::string_view message);
void LogError(absl::string_view message);

// The line LogInfo(message) would write now, without the newline (tests).
std::string FormatLogLineForTest(absl::string_view message);

}  // namespace wasmhpc

#endif  // WASMHPC_COMMON_LOGGING_H_
