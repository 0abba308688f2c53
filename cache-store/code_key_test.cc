// CodeKey: signatures bind code to its module and engine; key files are
// made private and checked.
#include "cache-store/code_key.h"

#include <sys/stat.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc {
namespace {

using ::testing::HasSubstr;

TEST(CodeKey, SignatureBindsCodeModuleAndEngine) {
  CodeKey key = CodeKey::FromBytes(std::string(32, 'a'));
  std::string signature = key.Sign("sha256:aa", "v8-10.2", "code");
  EXPECT_EQ(signature.size(), 32u);
  EXPECT_TRUE(key.Verify("sha256:aa", "v8-10.2", "code", signature));
  EXPECT_FALSE(key.Verify("sha256:bb", "v8-10.2", "code", signature));
  EXPECT_FALSE(key.Verify("sha256:aa", "v8-10.3", "code", signature));
  EXPECT_FALSE(key.Verify("sha256:aa", "v8-10.2", "codf", signature));
  EXPECT_FALSE(key.Verify("sha256:aa", "v8-10.2", "code", ""));
  CodeKey other = CodeKey::FromBytes(std::string(32, 'b'));
  EXPECT_FALSE(other.Verify("sha256:aa", "v8-10.2", "code", signature));
}

TEST(CodeKey, LoadOrCreateMakesAPrivateKeyOnceAndReadsItBack) {
  std::string path = testing::TempDir() + "/code.key";
  std::remove(path.c_str());
  absl::StatusOr<CodeKey> made = CodeKey::LoadOrCreate(path);
  ASSERT_TRUE(made.ok()) << made.status();
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  absl::StatusOr<CodeKey> again = CodeKey::LoadOrCreate(path);
  ASSERT_TRUE(again.ok());
  std::string signature = made->Sign("d", "f", "c");
  EXPECT_TRUE(again->Verify("d", "f", "c", signature));
  EXPECT_TRUE(CodeKey::FromFile(path)->Verify("d", "f", "c", signature));
}

TEST(CodeKey, BadKeyFilesAreRefused) {
  EXPECT_EQ(CodeKey::FromFile("/no/such/key").status().code(),
            absl::StatusCode::kNotFound);
  std::string path = testing::TempDir() + "/bad.key";
  std::ofstream(path) << "abcd\n";
  chmod(path.c_str(), 0600);
  absl::Status short_key = CodeKey::FromFile(path).status();
  EXPECT_EQ(short_key.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(short_key.message(), HasSubstr("openssl rand -hex 32"));
  std::ofstream(path) << std::string(64, 'a') << "\n";
  chmod(path.c_str(), 0644);
  absl::Status open = CodeKey::FromFile(path).status();
  EXPECT_EQ(open.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(open.message(), HasSubstr("chmod 600"));
  chmod(path.c_str(), 0600);
  EXPECT_TRUE(CodeKey::FromFile(path).ok());
}

}  // namespace
}  // namespace wasmhpc
