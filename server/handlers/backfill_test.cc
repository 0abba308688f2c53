// EASY backfill: the reservation of a blocked job and what may start
// before it, as pure planning and through the scheduler with a fake pool.
#include "server/handlers/backfill.h"

#include "cache-store/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/head_test_fixture.h"

namespace wasmhpc::server {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1000000);

TEST(Reserve, EarliestPoolThatCanSayWhen) {
  std::vector<PoolLoad> pools = {
      {"a", 4, 1, {{kNow + absl::Minutes(30), 3}}},
      {"b",
       4,
       0,
       {{kNow + absl::Minutes(10), 2}, {kNow + absl::Minutes(20), 2}}},
      {"c", 8, 0, {{absl::InfiniteFuture(), 8}}},
      {"small", 2, 2, {}}};
  std::optional<Reservation> r = Reserve(pools, 4);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->pool_id, "b");
  EXPECT_EQ(r->start, kNow + absl::Minutes(20));
  EXPECT_EQ(r->spare, 0);
  r = Reserve(pools, 3);  // b at 10 min: 2 free, then 4 at 20; a at 30 min.
  EXPECT_EQ(r->pool_id, "b");
  EXPECT_EQ(r->start, kNow + absl::Minutes(20));
  EXPECT_EQ(r->spare, 1);
  EXPECT_FALSE(Reserve({pools[2]}, 4).has_value());  // No timeout: never.
  EXPECT_FALSE(Reserve(pools, 9).has_value());       // No pool that wide.
}

TEST(FitsBefore, EndsInTimeOrUsesSpareRanks) {
  Reservation r{"b", kNow + absl::Minutes(20), 1};
  EXPECT_TRUE(FitsBefore(r, 3, absl::Minutes(20), kNow));
  EXPECT_FALSE(FitsBefore(r, 3, absl::Minutes(21), kNow));
  EXPECT_FALSE(FitsBefore(r, 2, absl::ZeroDuration(), kNow));
  EXPECT_TRUE(FitsBefore(r, 1, absl::ZeroDuration(), kNow));   // The spare.
  EXPECT_FALSE(FitsBefore(r, 1, absl::ZeroDuration(), kNow));  // Taken.
}

class BackfillTest : public HeadTest {
 protected:
  v1::Job Submit(int ranks, absl::Duration timeout = absl::ZeroDuration()) {
    v1::JobSpec spec = head_->Spec(digest_, ranks);
    spec.mutable_timeout()->set_seconds(absl::ToInt64Seconds(timeout));
    absl::StatusOr<v1::Job> job = head_->jobs->Submit(spec, Caller::Local());
    EXPECT_TRUE(job.ok()) << job.status();
    return job.value_or(v1::Job());
  }
  v1::JobState StateOf(const v1::Job& job) {
    return head_->jobs->Get(job.id(), Caller::Local())->state();
  }
};

TEST_F(BackfillTest, ShortJobsStartAheadOfAWideOneWithoutDelayingIt) {
  ASSERT_TRUE(pool_.Attach(5).ok());  // 4 executors.
  v1::Job running = Submit(3, absl::Minutes(10));
  pool_.Started(running.id());
  v1::Job wide = Submit(4);                    // Can start in 10 min.
  v1::Job fits = Submit(1, absl::Minutes(5));  // Ends before: backfilled.
  v1::Job forever = Submit(1);                 // Would delay the wide job.
  v1::Job longer = Submit(1, absl::Minutes(20));
  EXPECT_EQ(StateOf(wide), v1::QUEUED);
  EXPECT_EQ(StateOf(fits), v1::STARTING);
  EXPECT_EQ(StateOf(forever), v1::QUEUED);
  EXPECT_EQ(StateOf(longer), v1::QUEUED);
  pool_.Started(fits.id());
  pool_.Succeeded(fits.id(), 1);
  pool_.Succeeded(running.id(), 2);
  EXPECT_EQ(StateOf(wide), v1::STARTING);  // First, as reserved.
  EXPECT_EQ(StateOf(forever), v1::QUEUED);
}

TEST_F(BackfillTest, WithoutTimeoutsTheQueueStaysFirstComeFirstServed) {
  ASSERT_TRUE(pool_.Attach(5).ok());
  v1::Job running = Submit(3);  // No timeout: nobody knows when it ends.
  pool_.Started(running.id());
  v1::Job wide = Submit(4);
  v1::Job small = Submit(1, absl::Minutes(1));
  EXPECT_EQ(StateOf(wide), v1::QUEUED);
  EXPECT_EQ(StateOf(small), v1::QUEUED);
}

TEST_F(BackfillTest, AnotherPoolNeverDelaysTheReservation) {
  ASSERT_TRUE(pool_.Attach(5).ok());  // 4 executors.
  FakePool other(head_->pools.get());
  ASSERT_TRUE(other.Attach(2).ok());  // 1 executor, free.
  v1::Job running = Submit(4, absl::Minutes(10));
  pool_.Started(running.id());
  v1::Job wide = Submit(4);
  v1::Job forever = Submit(1);  // No timeout, but on the other pool.
  EXPECT_EQ(StateOf(wide), v1::QUEUED);
  EXPECT_EQ(head_->jobs->Get(forever.id(), Caller::Local())->pool_id(),
            other.id());
}

}  // namespace
}  // namespace wasmhpc::server
