// wasmhpc-cli submit end to end through the real head and a real pool
// (wasmhpc-worker under mpirun): --memory (the head records the limit, the
// pool holds the guest to it, the CLI exits with the job's code, -o yaml
// shows the limit on the head's job) and --stdin (rank 0 reads it).
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "client-cli/subprocess.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/pool/pool_process.h"
#include "tests/service/head_process.h"

namespace wasmhpc::testing {
namespace {

using ::testing::HasSubstr;
using ::wasmhpc::cli::testing::Subprocess;

class CliPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto head = HeadProcess::Start(WASMHPC_HEAD_BINARY, dir_.Path("data"),
                                   {"--rest-port", "off"});
    ASSERT_TRUE(head.ok()) << head.status();
    head_ = *std::move(head);
    const std::string& address = head_->address();
    pool_ = std::make_unique<PoolProcess>(
        WASMHPC_WORKER_BINARY, 3,
        std::stoi(address.substr(address.rfind(':') + 1)));
    ASSERT_TRUE(pool_->AwaitOutput("attached to", absl::Seconds(90)))
        << pool_->Output();
  }

  void TearDown() override {
    pool_.reset();
    head_.reset();
  }

  Subprocess::Result Cli(std::vector<std::string> args) {
    args.insert(args.begin(),
                {WASMHPC_CLI_BINARY, "--server", head_->address()});
    auto cli = Subprocess::Start(args, {"XDG_CONFIG_HOME=" + dir_.Path("xdg")});
    EXPECT_TRUE(cli.ok()) << cli.status();
    if (!cli.ok()) return {};
    return (*cli)->Wait(absl::Seconds(90));
  }

  TempDir dir_{"cli_pool_"};
  std::unique_ptr<HeadProcess> head_;
  std::unique_ptr<PoolProcess> pool_;
};

// grow_memory.wasm grows to 128 MiB, or exits with its size in 8 MiB units
// when memory.grow fails.
TEST_F(CliPoolTest, JobStopsGrowingAtItsLimit) {
  Subprocess::Result limited =
      Cli({"submit", WASMHPC_GROW_MEMORY_WASM, "-n", "1", "--memory", "16M"});
  EXPECT_EQ(limited.exit_code, 2) << limited.err << "\npool:\n"
                                  << pool_->Output();
  EXPECT_EQ(limited.out, "memory.grow failed\n");
  Subprocess::Result free =
      Cli({"submit", WASMHPC_GROW_MEMORY_WASM, "-n", "1"});
  EXPECT_EQ(free.exit_code, 0) << free.err;
  EXPECT_EQ(free.out, "grew to 128 MiB\n");
  // The head's record of the first job, in YAML.
  Subprocess::Result yaml = Cli({"-o", "yaml", "jobs", "--state", "failed"});
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_THAT(yaml.out, HasSubstr("\n    memoryLimitBytes: \"16777216\"\n"));
  EXPECT_THAT(yaml.out, HasSubstr("\n  state: FAILED\n"));
  EXPECT_THAT(yaml.out, HasSubstr("\n  exitCode: 2\n"));
}

// As mpirun does: rank 0 reads the job's input, the other ranks end of file.
TEST_F(CliPoolTest, RankZeroReadsTheJobsStdin) {
  const std::string input = dir_.Path("input.txt");
  std::ofstream(input) << "hello from stdin\nsecond line\n";
  Subprocess::Result r = Cli({"submit", WASMHPC_POOL_GUEST_WASM, "-n", "2",
                              "--stdin", input, "--", "stdin"});
  EXPECT_EQ(r.exit_code, 0) << r.err << "\npool:\n" << pool_->Output();
  EXPECT_THAT(r.out, HasSubstr("rank 0 read 29 bytes: hello from stdin\n"));
  EXPECT_THAT(r.out, HasSubstr("rank 1 read 0 bytes: \n"));
  // Without --stdin every rank reads end of file.
  r = Cli({"submit", WASMHPC_POOL_GUEST_WASM, "-n", "1", "--", "stdin"});
  EXPECT_THAT(r.out, HasSubstr("rank 0 read 0 bytes: \n")) << r.err;
  Subprocess::Result missing =
      Cli({"submit", WASMHPC_POOL_GUEST_WASM, "-n", "1", "--stdin",
           dir_.Path("nope"), "--", "stdin"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("--stdin: cannot read "));
}

}  // namespace
}  // namespace wasmhpc::testing
