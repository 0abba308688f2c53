// PoolRegistry: hello validation, first-fit allocation, ids never reused.
#include "server/handlers/pool_registry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/fake_pool.h"

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
  EXPECT_EQ(registry.LargestFreeBlock(), 4);
  std::optional<Allocation> first = registry.Allocate(1);
  EXPECT_EQ(first->pool_id, a);
  EXPECT_THAT(first->ranks, ElementsAre(1));
  std::optional<Allocation> second = registry.Allocate(2);  // a has 1 left.
  EXPECT_EQ(second->pool_id, b);
  EXPECT_THAT(second->ranks, ElementsAre(1, 2));
  EXPECT_FALSE(registry.Allocate(3));
  EXPECT_EQ(registry.LargestFreeBlock(), 2);
  registry.Release(b, second->ranks);
  EXPECT_EQ(registry.LargestFreeBlock(), 4);
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

// Regression (issue 15): a Hello of 150,000 ranks on distinct hosts made
// every listing O(n^2) under the scheduler's lock (39 s per GET /v1/pools).
TEST(PoolRegistry, HellosAreBoundedAndListedInLinearTime) {
  PoolRegistry registry("p");
  v1::PoolMessage::Hello huge = FakePool::Hello(150000).hello();
  absl::Status refused = registry.Add(huge, nullptr, kNow).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("ranks"));

  v1::PoolMessage::Hello wide = FakePool::Hello(40000).hello();
  for (int r = 0; r < wide.ranks_size(); ++r) {
    wide.mutable_ranks(r)->set_host("n" + std::to_string(r));
  }
  ASSERT_TRUE(registry.Add(wide, nullptr, kNow).ok());
  const absl::Time start = absl::Now();
  for (int i = 0; i < 5; ++i) {
    std::vector<v1::Pool> listed = registry.List();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].hosts_size(), 40000);
  }
  // O(n^2) took tens of seconds for this; linear work takes milliseconds.
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));

  v1::PoolMessage::Hello bad_host = FakePool::Hello(3).hello();
  bad_host.mutable_ranks(1)->set_host("\xff");
  EXPECT_EQ(registry.Add(bad_host, nullptr, kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::PoolMessage::Hello long_host = FakePool::Hello(3).hello();
  long_host.mutable_ranks(1)->set_host(std::string(300, 'h'));
  EXPECT_EQ(registry.Add(long_host, nullptr, kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wasmhpc::server
