#include "common/byte_size.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc {
namespace {

using ::testing::HasSubstr;

TEST(ByteSize, PlainAndSuffixed) {
  EXPECT_EQ(*ParseByteSize("0"), 0u);
  EXPECT_EQ(*ParseByteSize("65536"), 65536u);
  EXPECT_EQ(*ParseByteSize("64K"), 64u << 10);
  EXPECT_EQ(*ParseByteSize("64m"), 64u << 20);
  EXPECT_EQ(*ParseByteSize("2G"), uint64_t{2} << 30);
}

TEST(ByteSize, RejectsWhatIsNotASize) {
  for (const char* bad : {"", "M", "-1", "+5", " 5", "5 M", "5T", "1.5G",
                          "64MB", "99999999999999999999", "17179869184G"}) {
    absl::StatusOr<uint64_t> size = ParseByteSize(bad);
    ASSERT_FALSE(size.ok()) << bad;
    EXPECT_THAT(size.status().message(),
                HasSubstr("want a byte count, optionally with K, M or G"))
        << bad;
  }
}

}  // namespace
}  // namespace wasmhpc
