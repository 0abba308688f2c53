// The CacheStore test suite every backend passes (like Ray's
// store_client_test_base.h): cache_store_test_base.cc holds the TEST_Ps, and
// each backend's test file instantiates them with a BackendParam:
//
//   INSTANTIATE_TEST_SUITE_P(Memory, CacheStoreTest,
//                            ::testing::Values(MemoryBackend()),
//                            BackendParamName);
#ifndef WASMHPC_CACHE_STORE_CACHE_STORE_TEST_BASE_H_
#define WASMHPC_CACHE_STORE_CACHE_STORE_TEST_BASE_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "cache-store/cache_store.h"
#include "cache-store/kv_backend.h"
#include "gtest/gtest.h"

namespace wasmhpc::cache::testing {

// A store under test plus raw access to the bytes under it.
class BackendHarness {
 public:
  virtual ~BackendHarness() = default;
  // The store under test; a new object after Reopen.
  virtual CacheStore& store() = 0;
  // The backend under store(), to damage stored values behind its back.
  virtual KvBackend& raw() = 0;
  // True if data survives Reopen (RocksDB), false otherwise (memory).
  virtual bool persistent() const = 0;
  // Closes the store and opens it again on the same data.
  virtual absl::Status Reopen() = 0;
};

struct BackendParam {
  std::string name;  // Test name suffix: "Memory", "RocksDb".
  // Returns a harness around a fresh, empty store whose diagnostics go to
  // `log`.
  std::function<std::unique_ptr<BackendHarness>(CacheLogFn log)> make;
};

// Prints the name only (gtest would dump the bytes into the test list).
inline void PrintTo(const BackendParam& param, std::ostream* out) {
  *out << param.name;
}

inline std::string BackendParamName(
    const ::testing::TestParamInfo<BackendParam>& info) {
  return info.param.name;
}

class CacheStoreTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override;

  CacheStore& store() { return harness_->store(); }
  KvBackend& raw() { return harness_->raw(); }
  // Diagnostics the store reported so far.
  std::vector<std::string> LogLines();
  // Replaces the raw value under (space, key) with `mutate(old value)`.
  void MutateRaw(Space space, const std::string& key,
                 const std::function<std::string(std::string)>& mutate);

  std::unique_ptr<BackendHarness> harness_;

 private:
  absl::Mutex log_mu_;
  std::vector<std::string> log_lines_ ABSL_GUARDED_BY(log_mu_);
};

}  // namespace wasmhpc::cache::testing

#endif  // WASMHPC_CACHE_STORE_CACHE_STORE_TEST_BASE_H_
