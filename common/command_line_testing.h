// Test support for the option tests of the binaries (never product code):
// ScopedEnv, an environment variable for a scope, and the checks every
// binary's --help and --version share (common/command_line.h).
#ifndef WASMHPC_COMMON_COMMAND_LINE_TESTING_H_
#define WASMHPC_COMMON_COMMAND_LINE_TESTING_H_

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/version.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc {

// Sets an environment variable for the scope, and unsets it after.
//
// Thread safety: setenv and unsetenv; no other thread may read the
// environment meanwhile.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    setenv(name, value, 1);
  }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

// What `PROGRAM --version` prints: "PROGRAM VERSION\n".
inline std::string VersionText(absl::string_view program) {
  return absl::StrCat(program, " ", Version(), "\n");
}

// Expects `parse` (the arguments after the program's name -> an
// absl::StatusOr of options with a string `exit_text`) to answer --help
// with PROGRAM's usage naming each of `mentions`, and --version with
// VersionText(program), without the options the program otherwise
// requires.
template <typename ParseFn>
void ExpectHelpAndVersion(absl::string_view program, ParseFn parse,
                          const std::vector<std::string>& mentions) {
  auto help = parse({"--help"});
  ASSERT_TRUE(help.ok()) << help.status();
  EXPECT_THAT(help->exit_text,
              ::testing::HasSubstr(absl::StrCat("usage: ", program)));
  for (const std::string& mention : mentions) {
    EXPECT_THAT(help->exit_text, ::testing::HasSubstr(mention));
  }
  auto version = parse({"--version"});
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(version->exit_text, VersionText(program));
}

}  // namespace wasmhpc

#endif  // WASMHPC_COMMON_COMMAND_LINE_TESTING_H_
