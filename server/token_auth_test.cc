// TokenAuth: bearer tokens from a file; missing or wrong ones are refused.
#include "server/token_auth.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::server {
namespace {

using ::testing::HasSubstr;

TEST(TokenAuth, DisabledLetsEverythingThrough) {
  TokenAuth auth;
  EXPECT_FALSE(auth.enabled());
  EXPECT_TRUE(auth.Check("").ok());
}

TEST(TokenAuth, KnownTokenPassesMissingOrWrongAreUnauthenticated) {
  absl::StatusOr<TokenAuth> auth =
      TokenAuth::FromText("# operators\n  s3cret  \n\nother-token\n");
  ASSERT_TRUE(auth.ok());
  EXPECT_TRUE(auth->Check("Bearer s3cret").ok());
  EXPECT_TRUE(auth->Check("Bearer other-token").ok());
  absl::Status missing = auth->Check("");
  EXPECT_EQ(missing.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(missing.message(), HasSubstr("missing bearer token"));
  EXPECT_EQ(auth->Check("s3cret").code(), absl::StatusCode::kUnauthenticated);
  absl::Status wrong = auth->Check("Bearer s3cre");
  EXPECT_EQ(wrong.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(wrong.message(), HasSubstr("invalid bearer token"));
  EXPECT_FALSE(auth->Check("Bearer s3cretX").ok());
  EXPECT_FALSE(auth->Check("Bearer # operators").ok());
}

TEST(TokenAuth, FileWithoutTokensOrMissingFileIsAnError) {
  EXPECT_EQ(TokenAuth::FromText("# nothing\n\n").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TokenAuth::FromFile("/no/such/tokens").status().code(),
            absl::StatusCode::kNotFound);
  std::string path = testing::TempDir() + "/tokens";
  std::ofstream(path) << "abc\n";
  absl::StatusOr<TokenAuth> auth = TokenAuth::FromFile(path);
  ASSERT_TRUE(auth.ok());
  EXPECT_TRUE(auth->Check("Bearer abc").ok());
}

}  // namespace
}  // namespace wasmhpc::server
