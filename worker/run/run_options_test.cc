#include "worker/run/run_options.h"

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
  EXPECT_THAT(ParseRunOptions({"r", "--bogus", "1", "a.wasm"}).status().message(),
              HasSubstr("unknown option --bogus"));
  EXPECT_THAT(ParseRunOptions({"r", "--env", "NOEQUALS", "a.wasm"})
                  .status()
                  .message(),
              HasSubstr("expected K=V"));
  EXPECT_THAT(ParseRunOptions({"r", "--max-memory", "0", "a.wasm"})
                  .status()
                  .message(),
              HasSubstr("--max-memory 0"));
  EXPECT_THAT(ParseRunOptions({"r", "--env"}).status().message(),
              HasSubstr("--env needs a value"));
  EXPECT_THAT(ParseRunOptions({"r"}).status().message(),
              HasSubstr("no module given"));
}

TEST(RunOptions, DoubleDashEndsOptions) {
  auto options = ParseRunOptions({"r", "--", "--weird-name.wasm", "x"});
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->module_path, "--weird-name.wasm");
}

}  // namespace
}  // namespace wasmhpc::run
