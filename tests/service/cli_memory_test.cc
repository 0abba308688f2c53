// wasmhpc-cli submit --memory end to end: the real head records the limit
// and a real pool (wasmhpc-worker under mpirun) holds the guest to it; the
// CLI exits with the job's code. -o yaml shows the limit on the head's job.
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

class CliMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto head = HeadProcess::Start(WASMHPC_HEAD_BINARY, dir_.Path("data"),
                                   {"--rest-port", "off"});
    ASSERT_TRUE(head.ok()) << head.status();
    head_ = *std::move(head);
    const std::string& address = head_->address();
    pool_ = std::make_unique<PoolProcess>(
        WASMHPC_WORKER_BINARY, 2,
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

  TempDir dir_{"cli_memory_"};
  std::unique_ptr<HeadProcess> head_;
  std::unique_ptr<PoolProcess> pool_;
};

// grow_memory.wasm grows to 128 MiB, or exits with its size in 8 MiB units
// when memory.grow fails.
TEST_F(CliMemoryTest, JobStopsGrowingAtItsLimit) {
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

}  // namespace
}  // namespace wasmhpc::testing
