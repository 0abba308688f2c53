#include "common/age.h"

#include "gtest/gtest.h"

namespace wasmhpc {
namespace {

TEST(ParseAge, CountsOfDaysHoursMinutesSeconds) {
  EXPECT_EQ(*ParseAge("7d"), absl::Hours(7 * 24));
  EXPECT_EQ(*ParseAge("12h"), absl::Hours(12));
  EXPECT_EQ(*ParseAge("30m"), absl::Minutes(30));
  EXPECT_EQ(*ParseAge("0s"), absl::ZeroDuration());
  for (const char* bad :
       {"", "d", "7", "7w", "-1d", "1.5h", "99999999999999d"}) {
    absl::StatusOr<absl::Duration> age = ParseAge(bad);
    EXPECT_FALSE(age.ok()) << bad;
    EXPECT_EQ(age.status().message(),
              std::string(bad) + ": want a count of d, h, m or s (7d, 12h)");
  }
  EXPECT_EQ(ParseAge("0s", 1).status().message(),
            "0s: want a positive count of d, h, m or s (7d, 12h)");
}

}  // namespace
}  // namespace wasmhpc
