// OpenPreopenDir: pool jobs open their dirs without following symbolic
// links and only below the pool's --allow-dir.
#include "wasi/preopen_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace wasmhpc::wasi {
namespace {

namespace fs = std::filesystem;

class PreopenDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/preopen_dir_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = fs::canonical(pattern).string();
    fs::create_directories(root_ + "/allowed/sub");
    fs::create_directories(root_ + "/outside");
    fs::create_directory_symlink(root_ + "/outside",
                                 root_ + "/allowed/swapped");
  }
  void TearDown() override { fs::remove_all(root_); }

  absl::StatusCode Open(const std::string& path, bool strict,
                        std::vector<std::string> roots = {}) {
    Preopen preopen{path, "/data", false, strict, std::move(roots)};
    absl::StatusOr<UniqueFd> fd = OpenPreopenDir(preopen, O_RDONLY);
    return fd.status().code();
  }

  std::string root_;
};

TEST_F(PreopenDirTest, PlainOpensFollowLinksAsBefore) {
  EXPECT_EQ(Open(root_ + "/allowed/swapped", false), absl::StatusCode::kOk);
  EXPECT_EQ(Open(root_ + "/missing", false), absl::StatusCode::kNotFound);
}

// Regression (issue 15): a symbolic link swapped in after the head's check
// let a job write outside the allowed dirs.
TEST_F(PreopenDirTest, StrictOpensRefuseSymbolicLinks) {
  EXPECT_EQ(Open(root_ + "/allowed/sub", true), absl::StatusCode::kOk);
  EXPECT_EQ(Open(root_ + "/allowed/swapped", true),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Open(root_ + "/allowed/swapped/", true),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Open(root_ + "/allowed/../outside", true),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Open("relative", true), absl::StatusCode::kInvalidArgument);
}

TEST_F(PreopenDirTest, StrictOpensStayBelowThePoolsAllowedDirs) {
  const std::vector<std::string> roots = {root_ + "/allowed/"};
  EXPECT_EQ(Open(root_ + "/allowed", true, roots), absl::StatusCode::kOk);
  EXPECT_EQ(Open(root_ + "/allowed/sub", true, roots), absl::StatusCode::kOk);
  EXPECT_EQ(Open(root_ + "/outside", true, roots),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Open(root_ + "/allowedx", true, roots),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Open(root_ + "/allowed/swapped", true, roots),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace wasmhpc::wasi
