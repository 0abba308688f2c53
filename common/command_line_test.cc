#include "common/command_line.h"

#include <cstdlib>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "common/version.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct Demo {
  std::unique_ptr<CLI::App> app = NewCommandLineApp("demo", "A demo.");
  std::string dir;
  int count = 0;
  CLI::App* sub = nullptr;
  Demo() {
    app->add_option("--dir", dir, "a directory")->envname("WASMHPC_DEMO_DIR");
    sub = app->add_subcommand("go", "go somewhere");
    sub->add_option_function<int>(
        "--count",
        [this](int n) {
          if (n < 1) throw CLI::ValidationError("--count", "want at least 1");
          count = n;
        },
        "how many");
  }
  // The exit text ("" when the program runs), or ParseArgs' error.
  absl::StatusOr<std::string> Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "demo");
    std::string exit_text = "not cleared";
    absl::Status status = ParseArgs(*app, args, &exit_text);
    if (!status.ok()) return status;
    return exit_text;
  }
};

TEST(ParseArgs, VersionIsTheProjectVersion) {
  absl::StatusOr<std::string> out = Demo().Parse({"--version"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, absl::StrCat("demo ", Version(), "\n"));
  EXPECT_THAT(Version(), testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
}

TEST(ParseArgs, HelpOfTheProgramAndOfEachSubcommand) {
  absl::StatusOr<std::string> top = Demo().Parse({"--help"});
  ASSERT_TRUE(top.ok()) << top.status();
  EXPECT_THAT(*top, StartsWith("usage: demo"));
  EXPECT_THAT(*top, HasSubstr("A demo.\n"));
  EXPECT_THAT(*top, HasSubstr("(Env:WASMHPC_DEMO_DIR)"));
  absl::StatusOr<std::string> go = Demo().Parse({"go", "-h"});
  ASSERT_TRUE(go.ok()) << go.status();
  EXPECT_THAT(*go, HasSubstr("usage: demo go"));
  EXPECT_THAT(*go, HasSubstr("--count"));
  EXPECT_THAT(*go, Not(HasSubstr("--dir")));
}

TEST(ParseArgs, EnvironmentIsTheFallbackOfAFlag) {
  setenv("WASMHPC_DEMO_DIR", "/from/env", 1);
  Demo env;
  ASSERT_TRUE(env.Parse({}).ok());
  EXPECT_EQ(env.dir, "/from/env");
  Demo flag;
  ASSERT_TRUE(flag.Parse({"--dir", "/from/flag"}).ok());
  EXPECT_EQ(flag.dir, "/from/flag");
  unsetenv("WASMHPC_DEMO_DIR");
}

TEST(ParseArgs, ErrorsNameTheArgument) {
  Demo run;
  absl::StatusOr<std::string> ok = run.Parse({"go", "--count=3"});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, "");  // the program runs
  EXPECT_EQ(run.count, 3);
  EXPECT_EQ(Demo().Parse({"go", "--count", "0"}).status().message(),
            "--count: want at least 1");
  EXPECT_THAT(Demo().Parse({"--bogus"}).status().message(),
              HasSubstr("--bogus"));
  EXPECT_THAT(Demo().Parse({"--dir"}).status().message(), HasSubstr("--dir"));
  EXPECT_EQ(UsageHint("demo"), "(run 'demo --help' for usage)");
}

}  // namespace
}  // namespace wasmhpc
