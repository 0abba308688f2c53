#include "common/clock.h"

#include "gtest/gtest.h"

namespace wasmhpc {
namespace {

TEST(FakeClock, MovesOnlyWhenAdvanced) {
  FakeClock clock;
  const absl::Time start = clock.Now();
  EXPECT_EQ(start, absl::FromUnixSeconds(1704067200));
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(absl::Seconds(90));
  EXPECT_EQ(clock.Now(), start + absl::Seconds(90));
}

TEST(RealClock, ReadsTheSystemClock) {
  const absl::Time before = absl::Now();
  const absl::Time now = RealClock()->Now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, absl::Now());
  EXPECT_EQ(RealClock(), RealClock());
}

}  // namespace
}  // namespace wasmhpc
