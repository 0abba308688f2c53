// FUZZ_CHECK: an invariant of a fuzz harness. Unlike assert it holds in
// every build type; a failure prints the condition and aborts, which
// libFuzzer reports as a crash and saves the input.
#ifndef WASMHPC_FUZZ_FUZZ_CHECK_H_
#define WASMHPC_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                               \
  do {                                                                 \
    if (!(cond)) {                                                     \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, \
                   __LINE__, #cond);                                   \
      std::abort();                                                    \
    }                                                                  \
  } while (0)

#endif  // WASMHPC_FUZZ_FUZZ_CHECK_H_
