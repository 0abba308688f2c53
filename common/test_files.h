// Files in tests (test support, never product code): TempDir, a fresh
// directory for one test, removed with all it holds when the TempDir goes;
// ReadTestFile, a file's bytes.
//
// Thread safety: TempDir's const methods and ReadTestFile may be called from
// any thread.
#ifndef WASMHPC_COMMON_TEST_FILES_H_
#define WASMHPC_COMMON_TEST_FILES_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace wasmhpc {

class TempDir {
 public:
  // Makes "PREFIXxxxxxx" in gtest's temporary directory ($TEST_TMPDIR or
  // /tmp/); a test failure (and an empty path()) when it cannot.
  explicit TempDir(absl::string_view prefix) {
    std::string pattern = absl::StrCat(::testing::TempDir(), prefix, "XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << pattern << " failed";
      return;
    }
    path_ = pattern;
  }
  // Removes the directory and everything in it.
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name.
  std::string Path(absl::string_view name) const {
    return absl::StrCat(path_, "/", name);
  }

 private:
  std::string path_;
};

// The bytes of the file at `path`; a test failure naming it (and "") when
// it cannot be opened.
inline std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace wasmhpc

#endif  // WASMHPC_COMMON_TEST_FILES_H_
