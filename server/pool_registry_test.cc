// PoolRegistry: hello validation, first-fit allocation, ids never reused.
#include "server/pool_registry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/fake_pool.h"

namespace wasmhpc::server {
namespace {

using ::testing::ElementsAre;

const absl::Time kNow = absl::FromUnixSeconds(1000);

TEST(PoolRegistry, HelloMustListTheControllerAndAnExecutor) {
  PoolRegistry registry("p");
  EXPECT_FALSE(registry.Add(FakePool::Hello(1).hello(), nullptr, kNow).ok());
  v1::PoolMessage::Hello twice = FakePool::Hello(3).hello();
  twice.mutable_ranks(2)->set_rank(1);
  EXPECT_FALSE(registry.Add(twice, nullptr, kNow).ok());
  v1::PoolMessage::Hello no_zero = FakePool::Hello(3).hello();
  no_zero.mutable_ranks(0)->set_rank(7);
  EXPECT_FALSE(registry.Add(no_zero, nullptr, kNow).ok());
  EXPECT_EQ(registry.LargestPool(), 0);
}

TEST(PoolRegistry, AllocatesLowestFreeRanksOfTheFirstPoolThatFits) {
  PoolRegistry registry("p");
  std::string a =
      (*registry.Add(FakePool::Hello(3).hello(), nullptr, kNow))->id;
  std::string b =
      (*registry.Add(FakePool::Hello(5).hello(), nullptr, kNow))->id;
  EXPECT_EQ(registry.LargestPool(), 4);
  std::optional<Allocation> first = registry.Allocate(1);
  EXPECT_EQ(first->pool_id, a);
  EXPECT_THAT(first->ranks, ElementsAre(1));
  std::optional<Allocation> second = registry.Allocate(2);  // a has 1 left.
  EXPECT_EQ(second->pool_id, b);
  EXPECT_THAT(second->ranks, ElementsAre(1, 2));
  EXPECT_FALSE(registry.Allocate(3));
  registry.Release(b, second->ranks);
  EXPECT_THAT(registry.Allocate(4)->ranks, ElementsAre(1, 2, 3, 4));
  std::vector<v1::Pool> pools = registry.List();
  EXPECT_EQ(pools[0].free_ranks(), 1);
  EXPECT_EQ(pools[1].free_ranks(), 0);
  EXPECT_EQ(pools[1].ranks_size(), 5);
  EXPECT_EQ(pools[1].engine_fingerprint(), "fake-engine");
}

TEST(PoolRegistry, IdsAreNeverReused) {
  PoolRegistry registry("p");
  std::string a =
      (*registry.Add(FakePool::Hello(2).hello(), nullptr, kNow))->id;
  ASSERT_TRUE(registry.Remove(a));
  EXPECT_FALSE(registry.Remove(a));
  std::string b =
      (*registry.Add(FakePool::Hello(2).hello(), nullptr, kNow))->id;
  EXPECT_NE(a, b);
  EXPECT_EQ(registry.Find(a), nullptr);
  EXPECT_NE(registry.Find(b), nullptr);
}

}  // namespace
}  // namespace wasmhpc::server
