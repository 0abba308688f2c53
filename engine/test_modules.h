// Test support for engine_test (never product code): the test modules of
// engine/testdata, assembled into WASMHPC_ENGINE_TESTDATA by the build.
#ifndef WASMHPC_ENGINE_TEST_MODULES_H_
#define WASMHPC_ENGINE_TEST_MODULES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/test_files.h"

namespace wasmhpc::engine {

// The bytes of testdata/NAME.wat, assembled; a test failure when missing.
inline std::vector<uint8_t> TestModule(const std::string& name) {
  std::string bytes =
      ReadTestFile(absl::StrCat(WASMHPC_ENGINE_TESTDATA, "/", name, ".wasm"));
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

}  // namespace wasmhpc::engine

#endif  // WASMHPC_ENGINE_TEST_MODULES_H_
