#include "common/logging.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc {
namespace {

TEST(Logging, LinesCarryTimeLevelAndProgram) {
  InitLogging("wasmhpc-test");
  EXPECT_THAT(FormatLogLineForTest("pool p1 attached"),
              testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
                                    "[0-9]{2}:[0-9]{2}\\.[0-9]{3}[-+][0-9]{2}:"
                                    "[0-9]{2} \\[info\\] wasmhpc-test: pool p1 "
                                    "attached"));
}

TEST(Logging, LevelsOnStderr) {
  InitLogging("wasmhpc-test");
  testing::internal::CaptureStderr();
  LogInfo("one");
  LogWarning("two");
  LogError("three");
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, testing::HasSubstr("[info] wasmhpc-test: one\n"));
  EXPECT_THAT(err, testing::HasSubstr("[warning] wasmhpc-test: two\n"));
  EXPECT_THAT(err, testing::HasSubstr("[error] wasmhpc-test: three\n"));
}

}  // namespace
}  // namespace wasmhpc
