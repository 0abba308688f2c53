#include "cache-store/module_digest.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace wasmhpc {
namespace {

TEST(ModuleDigest, MatchesKnownSha256Values) {
  EXPECT_EQ(ModuleDigest(""),
            "sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ModuleDigest("abc"),
            "sha256:"
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ModuleDigest, IsStableAndWellFormed) {
  const std::string bytes(10000, 'w');
  const std::string digest = ModuleDigest(bytes);
  EXPECT_EQ(ModuleDigest(bytes), digest);
  EXPECT_TRUE(IsValidDigest(digest));
  EXPECT_EQ(digest.size(), kDigestLength);
}

TEST(ModuleDigest, EveryChangedByteGivesANewDigest) {
  std::string bytes(64, '\0');
  std::set<std::string> digests = {ModuleDigest(bytes)};
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string changed = bytes;
    changed[i] ^= 1;
    digests.insert(ModuleDigest(changed));
  }
  EXPECT_EQ(digests.size(), bytes.size() + 1);
  EXPECT_NE(ModuleDigest(bytes), ModuleDigest(bytes + '\0'));  // Length too.
}

TEST(DigestBuilder, ChunkedEqualsOneShot) {
  std::string bytes;
  for (int i = 0; i < 5000; ++i) bytes.push_back(static_cast<char>(i * 7));
  DigestBuilder builder;
  for (size_t at = 0; at < bytes.size(); at += 333) {
    builder.Update(absl::string_view(bytes).substr(at, 333));
  }
  EXPECT_EQ(builder.size(), bytes.size());
  EXPECT_EQ(builder.Finish(), ModuleDigest(bytes));
}

TEST(DigestBuilder, SpanAndStringOverloadsAgree) {
  const std::string bytes("\0asm\x01\0\0\0", 8);
  const absl::Span<const uint8_t> span(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  EXPECT_EQ(ModuleDigest(span), ModuleDigest(bytes));
}

TEST(IsValidDigest, RejectsMalformedDigests) {
  const std::string good = ModuleDigest("x");
  EXPECT_TRUE(IsValidDigest(good));
  EXPECT_FALSE(IsValidDigest(""));
  EXPECT_FALSE(IsValidDigest(good.substr(1)));
  EXPECT_FALSE(IsValidDigest(good + "0"));
  std::string upper = good;
  upper[10] = 'A';
  EXPECT_FALSE(IsValidDigest(upper));
  EXPECT_FALSE(IsValidDigest("sha512:" + good.substr(7)));
}

}  // namespace
}  // namespace wasmhpc
