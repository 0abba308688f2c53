#include "cache-store/blob_format.h"

#include <string>

#include "cache-store/crc32c.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::cache {
namespace {

using ::testing::HasSubstr;

TEST(Crc32c, MatchesKnownValues) {
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32c("", 0), 0u);
  const std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
}

TEST(Crc32c, HardwareAndPortableAgreeAndExtend) {
  // Long enough for the hardware path's three-stream blocks (3 x 8 KiB and
  // 3 x 256 B) and the tails around them.
  std::string data;
  for (int i = 0; i < 100000; ++i) {
    data.push_back(static_cast<char>(i * 31 + (i >> 8)));
  }
  for (size_t n : {0, 1, 7, 8, 9, 63, 1000, 767, 768, 769, 24575, 24576, 24577,
                   25344, 25345, 49152 + 768 + 13, 100000}) {
    EXPECT_EQ(Crc32cExtend(0, data.data(), n),
              Crc32cExtendPortable(0, data.data(), n))
        << n;
  }
  const uint32_t first = Crc32c(data.data(), 123);
  EXPECT_EQ(Crc32cExtend(first, data.data() + 123, data.size() - 123),
            Crc32c(data.data(), data.size()));
}

TEST(BlobFormat, RoundTrips) {
  const std::string stored = EncodeBlob(Space::kCode, "key", "payload");
  EXPECT_EQ(stored.size(), kBlobHeaderSize + 3 + 7);
  absl::StatusOr<BlobPayload> payload = DecodeBlob(stored, Space::kCode, "key");
  ASSERT_TRUE(payload.ok()) << payload.status();
  EXPECT_EQ(stored.substr(payload->offset, payload->size), "payload");
}

std::string DecodeError(const std::string& stored, Space space = Space::kCode,
                        const std::string& key = "key") {
  absl::StatusOr<BlobPayload> payload = DecodeBlob(stored, space, key);
  EXPECT_TRUE(absl::IsDataLoss(payload.status())) << payload.status();
  return std::string(payload.status().message());
}

TEST(BlobFormat, EveryDamageIsDetected) {
  const std::string good = EncodeBlob(Space::kCode, "key", "payload bytes");
  EXPECT_THAT(DecodeError(good.substr(0, 10)), HasSubstr("too short"));
  EXPECT_THAT(DecodeError("XHCS" + good.substr(4)), HasSubstr("bad magic"));
  std::string version = good;
  version[4] = 7;
  EXPECT_THAT(DecodeError(version), HasSubstr("format version 7"));
  EXPECT_THAT(DecodeError(good, Space::kJobs), HasSubstr("another kind"));
  EXPECT_THAT(DecodeError(good.substr(0, good.size() - 1)),
              HasSubstr("truncated"));
  EXPECT_THAT(DecodeError(good + "x"), HasSubstr("extended"));
  for (size_t i = 20; i < good.size(); ++i) {  // CRC, meta and payload.
    std::string flipped = good;
    flipped[i] ^= 0x01;
    EXPECT_THAT(DecodeError(flipped), HasSubstr("checksum mismatch")) << i;
  }
  EXPECT_THAT(DecodeError(good, Space::kCode, "other key"),
              HasSubstr("another key"));
}

}  // namespace
}  // namespace wasmhpc::cache
