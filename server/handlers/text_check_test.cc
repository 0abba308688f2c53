// Text checks: what the head stores must be listable by every client.
#include "server/handlers/text_check.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wasmhpc/v1/jobs.pb.h"

namespace wasmhpc::server {
namespace {

using ::testing::HasSubstr;

TEST(TextCheck, Utf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80"));
  for (const char* bad : {"\xff", "\xc3", "a\x80", "\xc0\xaf" /* overlong */,
                          "\xed\xa0\x80" /* surrogate */,
                          "\xf4\x90\x80\x80" /* past U+10FFFF */, "\xe2\x82"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
  }
}

TEST(TextCheck, NamesAreBoundedUtf8WithoutControlCharacters) {
  EXPECT_TRUE(CheckName("the name", "app \xc3\xbc.wasm", 255).ok());
  absl::Status bad = CheckName("the module name", "\xff", 255);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("the module name is not valid UTF-8"));
  EXPECT_FALSE(CheckName("n", "a\nb", 255).ok());
  EXPECT_FALSE(CheckName("n", std::string(256, 'a'), 255).ok());
}

TEST(TextCheck, CutKeepsWholeCharacters) {
  EXPECT_EQ(CutUtf8("abc", 5), "abc");
  EXPECT_EQ(CutUtf8("a\xc3\xbc", 2), "a");
  EXPECT_TRUE(IsValidUtf8(CutUtf8("\xe2\x82\xac\xe2\x82\xac", 4)));
}

TEST(TextCheck, EveryStringFieldOfAMessageIsChecked) {
  v1::JobSpec spec;
  spec.add_args("ok");
  (*spec.mutable_env())["HOME"] = "/h";
  EXPECT_TRUE(CheckUtf8Fields(spec).ok());
  spec.add_dirs()->set_guest_path("\xff");
  absl::Status bad = CheckUtf8Fields(spec);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("dirs.guestPath"));
}

}  // namespace
}  // namespace wasmhpc::server
