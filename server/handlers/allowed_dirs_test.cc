// AllowedDirs: --allow-dir entries must exist; paths are compared by
// component after resolving "..", "." and symbolic links.
#include "server/handlers/allowed_dirs.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::server {
namespace {

TEST(AllowedDirs, EntriesMustBeExistingAbsoluteDirectories) {
  EXPECT_FALSE(AllowedDirs::Create({"relative"}).ok());
  EXPECT_FALSE(AllowedDirs::Create({"/no/such/dir"}).ok());
  EXPECT_TRUE(AllowedDirs::Create({"/tmp/"}).ok());
}

TEST(AllowedDirs, ComparesWholeComponents) {
  absl::StatusOr<AllowedDirs> allowed = AllowedDirs::Create({"/usr/"});
  ASSERT_TRUE(allowed.ok());
  EXPECT_TRUE(allowed->Check("/usr").ok());
  EXPECT_TRUE(allowed->Check("/usr/").ok());
  EXPECT_TRUE(allowed->Check("/usr/share/doc").ok());
  EXPECT_TRUE(allowed->Check("/usr//share/./x").ok());
  EXPECT_EQ(allowed->Check("/usrx").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(allowed->Check("/usr/../etc").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(allowed->Check("").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wasmhpc::server
