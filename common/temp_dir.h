// TempDir: test support (never product code). A fresh directory for one
// test, removed with all it holds when the TempDir goes.
//
// Thread safety: const methods may be called from any thread.
#ifndef WASMHPC_COMMON_TEMP_DIR_H_
#define WASMHPC_COMMON_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
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

}  // namespace wasmhpc

#endif  // WASMHPC_COMMON_TEMP_DIR_H_
