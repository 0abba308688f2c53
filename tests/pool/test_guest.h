// Test support for the pool's end-to-end tests: a guest module, read once,
// with the digest a head stores it under.
#ifndef WASMHPC_TESTS_POOL_TEST_GUEST_H_
#define WASMHPC_TESTS_POOL_TEST_GUEST_H_

#include <string>

#include "cache-store/module_digest.h"
#include "common/test_files.h"

namespace wasmhpc::testing {

struct Guest {
  std::string bytes;
  std::string digest;
};

// The module at `path` and its digest; a test failure when it cannot be
// read.
inline Guest LoadGuest(const std::string& path) {
  Guest guest{ReadTestFile(path), ""};
  guest.digest = ModuleDigest(guest.bytes);
  return guest;
}

}  // namespace wasmhpc::testing

#endif  // WASMHPC_TESTS_POOL_TEST_GUEST_H_
