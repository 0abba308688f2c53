#include "worker/pool/worker_options.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::pool {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<WorkerOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "wasmhpc-worker");
  return ParseWorkerOptions(args);
}

TEST(WorkerOptions, ParsesEveryFlag) {
  absl::StatusOr<WorkerOptions> o = Parse(
      {"--head", "h:7070", "--name=p1", "--tier", "liftoff", "--max-memory",
       "512", "--module-cache=3", "--blocking-collectives"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->head, "h:7070");
  EXPECT_EQ(o->name, "p1");
  EXPECT_EQ(o->tier, "liftoff");
  EXPECT_EQ(o->max_memory_mib, 512u);
  EXPECT_EQ(o->module_cache, 3u);
  EXPECT_TRUE(o->blocking_collectives);
}

TEST(WorkerOptions, Defaults) {
  absl::StatusOr<WorkerOptions> o = Parse({"--head", "h:1"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->name, "");
  EXPECT_EQ(o->tier, "turbofan");
  EXPECT_EQ(o->max_memory_mib, 4096u);
  EXPECT_EQ(o->module_cache, 16u);
  EXPECT_FALSE(o->blocking_collectives);
}

TEST(WorkerOptions, BadInputIsNamed) {
  EXPECT_THAT(Parse({}).status().message(), HasSubstr("--head HOST:PORT"));
  EXPECT_THAT(Parse({"--head", "h:1", "--frob"}).status().message(),
              HasSubstr("unknown argument --frob"));
  EXPECT_THAT(Parse({"--head"}).status().message(),
              HasSubstr("--head needs a value"));
  EXPECT_THAT(
      Parse({"--head", "h:1", "--module-cache", "0"}).status().message(),
      HasSubstr("--module-cache takes a positive number, not '0'"));
  EXPECT_THAT(
      Parse({"--head", "h:1", "--max-memory", "8192"}).status().message(),
      HasSubstr("exceeds 4096 MiB"));
  EXPECT_TRUE(Parse({"--help"}).ok());
}

}  // namespace
}  // namespace wasmhpc::pool
