#include "worker/pool/lru_cache.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace wasmhpc::pool {
namespace {

TEST(LruCache, EvictsTheLeastRecentlyUsed) {
  LruCache<std::string, int> cache(2);
  cache.Put("a", 1);
  cache.Put("b", 2);
  ASSERT_NE(cache.Get("a"), nullptr);  // "b" is now the oldest
  cache.Put("c", 3);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Get("b"), nullptr);
  EXPECT_EQ(*cache.Get("a"), 1);
  EXPECT_EQ(*cache.Get("c"), 3);
}

TEST(LruCache, PutReplacesWithoutEvicting) {
  LruCache<std::string, int> cache(2);
  cache.Put("a", 1);
  cache.Put("b", 2);
  EXPECT_EQ(cache.Put("a", 10), 10);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(*cache.Get("a"), 10);
  EXPECT_EQ(*cache.Get("b"), 2);
}

TEST(LruCache, HoldsMoveOnlyValues) {
  LruCache<int, std::unique_ptr<int>> cache(1);
  cache.Put(1, std::make_unique<int>(5));
  EXPECT_EQ(**cache.Get(1), 5);
  cache.Put(2, std::make_unique<int>(6));
  EXPECT_FALSE(cache.Contains(1));
  EXPECT_EQ(**cache.Get(2), 6);
}

}  // namespace
}  // namespace wasmhpc::pool
