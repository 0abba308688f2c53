// Runs the shared CacheStore suite against the in-memory backend.
#include "cache-store/memory_store.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "cache-store/cache_store_test_base.h"
#include "cache-store/kv_cache_store.h"
#include "gtest/gtest.h"

namespace wasmhpc::cache::testing {
namespace {

class MemoryHarness final : public BackendHarness {
 public:
  explicit MemoryHarness(CacheLogFn log) {
    std::unique_ptr<KvBackend> kv = NewMemoryKv();
    raw_ = kv.get();
    store_ = NewKvCacheStore(std::move(kv), std::move(log));
  }
  CacheStore& store() override { return *store_; }
  KvBackend& raw() override { return *raw_; }
  bool persistent() const override { return false; }
  absl::Status Reopen() override {
    return absl::UnimplementedError("the memory backend keeps no data");
  }

 private:
  KvBackend* raw_;
  std::unique_ptr<CacheStore> store_;
};

BackendParam MemoryBackend() {
  return {"Memory", [](CacheLogFn log) {
            return std::make_unique<MemoryHarness>(std::move(log));
          }};
}

INSTANTIATE_TEST_SUITE_P(Memory, CacheStoreTest,
                         ::testing::Values(MemoryBackend()), BackendParamName);

TEST(MemoryStore, PublicFactoryGivesAWritableStore) {
  std::unique_ptr<CacheStore> store = NewMemoryStore();
  EXPECT_FALSE(store->read_only());
  EXPECT_EQ(store->name(), "memory cache");
  EXPECT_TRUE(store->PutJob("job", "record").ok());
  EXPECT_EQ(store->GetJob("job").value_or(""), "record");
}

TEST(MemoryStore, ReturnedBytesOutliveTheStore) {
  const std::string bytes("\0asm\x01\0\0\0", 8);
  const std::string digest = ModuleDigest(bytes);
  SharedBytes kept;
  {
    std::unique_ptr<CacheStore> store = NewMemoryStore();
    ASSERT_TRUE(store->PutModule(digest, bytes).ok());
    kept = *store->GetModule(digest);
  }
  EXPECT_EQ(kept.view(), bytes);
}

}  // namespace
}  // namespace wasmhpc::cache::testing
