#include "worker/run/run_options.h"

#include "common/command_line_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::run {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(RunOptions, OptionsStopAtTheModuleAndTheRestIsGuestArgv) {
  auto options = ParseRunOptions({"wasmhpc-run", "--env", "A=1", "--env=B=2",
                                  "--tier", "liftoff", "--max-memory=64",
                                  "app.wasm", "--dir", "x", "-n", "5"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->module_path, "app.wasm");
  EXPECT_THAT(options->guest_args,
              ElementsAre("app.wasm", "--dir", "x", "-n", "5"));
  EXPECT_THAT(options->env, ElementsAre("A=1", "B=2"));
  EXPECT_EQ(options->tier, "liftoff");
  EXPECT_EQ(options->max_memory_mib, 64u);
  EXPECT_TRUE(options->dirs.empty());
}

TEST(RunOptions, DirFlagsAreParsed) {
  auto options = ParseRunOptions(
      {"wasmhpc-run", "--dir", "/tmp:/data:ro", "--dir=/srv", "app.wasm"});
  ASSERT_TRUE(options.ok()) << options.status();
  ASSERT_EQ(options->dirs.size(), 2u);
  EXPECT_EQ(options->dirs[0].host_path, "/tmp");
  EXPECT_EQ(options->dirs[0].guest_path, "/data");
  EXPECT_TRUE(options->dirs[0].read_only);
  EXPECT_EQ(options->dirs[1].guest_path, "/srv");
}

TEST(RunOptions, BadInputIsNamed) {
  EXPECT_THAT(
      ParseRunOptions({"r", "--bogus", "1", "a.wasm"}).status().message(),
      HasSubstr("unknown option --bogus"));
  EXPECT_THAT(
      ParseRunOptions({"r", "--env", "NOEQUALS", "a.wasm"}).status().message(),
      HasSubstr("expected K=V"));
  EXPECT_THAT(
      ParseRunOptions({"r", "--max-memory", "0", "a.wasm"}).status().message(),
      HasSubstr("--max-memory: 0: expected MiB"));
  EXPECT_THAT(ParseRunOptions({"r", "--env"}).status().message(),
              HasSubstr("--env: 1 required TEXT missing"));
  EXPECT_THAT(ParseRunOptions({"r"}).status().message(),
              HasSubstr("no module given"));
}

TEST(RunOptions, DoubleDashEndsOptions) {
  auto options = ParseRunOptions({"r", "--", "--weird-name.wasm", "x"});
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->module_path, "--weird-name.wasm");
  EXPECT_THAT(options->guest_args, ElementsAre("--weird-name.wasm", "x"));
}

// The guest's --help and --version are the guest's.
TEST(RunOptions, HelpAndVersionBeforeTheModuleOnly) {
  ExpectHelpAndVersion("wasmhpc-run",
                       [](std::vector<std::string> args) {
                         args.insert(args.begin(), "wasmhpc-run");
                         return ParseRunOptions(args);
                       },
                       {"--no-fast-calls"});
  auto guest = ParseRunOptions(
      {"wasmhpc-run", "--timings", "app.wasm", "--help", "--version", "--"});
  ASSERT_TRUE(guest.ok()) << guest.status();
  EXPECT_EQ(guest->exit_text, "");
  EXPECT_TRUE(guest->timings);
  EXPECT_THAT(guest->guest_args,
              ElementsAre("app.wasm", "--help", "--version", "--"));
}

TEST(RunOptions, CacheFlags) {
  EXPECT_EQ(ParseRunOptions({"r", "a.wasm"}, "/def")->cache_dir, "/def");
  EXPECT_EQ(ParseRunOptions({"r", "--no-cache", "a.wasm"}, "/def")->cache_dir,
            "");
  EXPECT_EQ(ParseRunOptions({"r", "--cache=/c", "a.wasm"}, "/def")->cache_dir,
            "/c");
  EXPECT_FALSE(ParseRunOptions({"r", "--no-fast-calls", "a.wasm"})->fast_calls);
}

}  // namespace
}  // namespace wasmhpc::run
