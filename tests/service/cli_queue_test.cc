// wasmhpc-cli against the real wasmhpc-head and a fake pool: a queued submit
// says where it stands and follows the queue, retried submits (--id) make
// one job, and jobs finds them by --name and --label, newest first.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client-cli/subprocess.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/head_process.h"

namespace wasmhpc::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Subprocess = ::wasmhpc::cli::testing::Subprocess;

constexpr absl::Duration kWait = absl::Seconds(30);

class CliQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<HeadProcess>> head = HeadProcess::Start(
        WASMHPC_HEAD_BINARY, dir_.Path("data"), {"--rest-port", "off"});
    ASSERT_TRUE(head.ok()) << head.status();
    head_ = *std::move(head);
    pool_ = std::make_unique<GrpcFakePool>(head_->Connect());
    ASSERT_TRUE(pool_->Attach(3).ok());  // 2 executors.
  }

  std::vector<std::string> Argv(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {WASMHPC_CLI, "--server", head_->address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  Subprocess::Result Cli(const std::vector<std::string>& args) {
    absl::StatusOr<std::unique_ptr<Subprocess>> cli =
        Subprocess::Start(Argv(args));
    EXPECT_TRUE(cli.ok()) << cli.status();
    if (!cli.ok()) return {};
    Subprocess::Result result = (*cli)->Wait(kWait);
    EXPECT_FALSE(result.timed_out) << result.err;
    return result;
  }
  // The ids `jobs` prints for `args`, in its order.
  std::vector<std::string> Listed(std::vector<std::string> args) {
    args.insert(args.begin(), "jobs");
    Subprocess::Result r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> ids;
    for (absl::string_view line : absl::StrSplit(r.out, '\n')) {
      if (absl::StartsWith(line, "job-")) {
        ids.emplace_back(line.substr(0, line.find(' ')));
      }
    }
    return ids;
  }
  std::string Detached(std::vector<std::string> args) {
    args.insert(args.begin(), {"submit", WASMHPC_HELLO_WASM, "--detach"});
    Subprocess::Result r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::string(absl::StripSuffix(r.out, "\n"));
  }
  // The next Assign the pool gets: its job id.
  std::string NextAssigned() {
    std::optional<v1::HeadMessage> m = pool_->Next(kWait);
    EXPECT_TRUE(m && m->has_assign()) << "no assignment";
    return m && m->has_assign() ? m->assign().job_id() : "";
  }

  TempDir dir_{"cli_queue_test."};
  std::unique_ptr<HeadProcess> head_;
  std::unique_ptr<GrpcFakePool> pool_;
};

TEST_F(CliQueueTest, QueuedSubmitSaysWhereItStandsUntilItStarts) {
  const std::string wide = Detached({"-n", "2"});
  ASSERT_EQ(NextAssigned(), wide);
  const std::string second = Detached({"-n", "2"});  // Queued first.
  absl::StatusOr<std::unique_ptr<Subprocess>> cli =
      Subprocess::Start(Argv({"submit", WASMHPC_HELLO_WASM, "-n", "1"}));
  ASSERT_TRUE(cli.ok()) << cli.status();
  std::optional<std::string> line = (*cli)->ReadStderrLine(kWait);
  ASSERT_TRUE(line.has_value());
  EXPECT_THAT(*line, ::testing::MatchesRegex(
                         "job-[0-9]+ queued: position 2, needs 1 ranks, "
                         "largest free block 0"));
  const std::string mine = line->substr(0, line->find(' '));
  ASSERT_EQ(Cli({"cancel", second}).exit_code, 0);
  line = (*cli)->ReadStderrLine(kWait);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line, absl::StrCat(mine,
                                " queued: position 1, needs 1 ranks, "
                                "largest free block 0"));
  pool_->Started(wide);
  pool_->Succeeded(wide, 2);
  ASSERT_EQ(NextAssigned(), mine);
  pool_->Started(mine);
  pool_->Log(mine, 0, "hello\n");
  pool_->Succeeded(mine, 1);
  Subprocess::Result done = (*cli)->Wait(kWait);
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(done.out, "hello\n");
}

TEST_F(CliQueueTest, ADependentSubmitWaitsForItsJobThenRuns) {
  const std::string first = Detached({"-n", "1"});
  ASSERT_EQ(NextAssigned(), first);
  absl::StatusOr<std::unique_ptr<Subprocess>> cli = Subprocess::Start(
      Argv({"submit", WASMHPC_HELLO_WASM, "-n", "1", "--afterok", first}));
  ASSERT_TRUE(cli.ok()) << cli.status();
  std::optional<std::string> line = (*cli)->ReadStderrLine(kWait);
  ASSERT_TRUE(line.has_value());
  EXPECT_THAT(*line, ::testing::EndsWith(absl::StrCat(" queued: waiting for ",
                                                      first, " to succeed")));
  const std::string mine = line->substr(0, line->find(' '));
  pool_->Started(first);
  pool_->Succeeded(first, 1);
  ASSERT_EQ(NextAssigned(), mine);
  pool_->Started(mine);
  pool_->Succeeded(mine, 1);
  EXPECT_EQ((*cli)->Wait(kWait).exit_code, 0);
  // One that can never be met is refused at submit.
  Subprocess::Result never =
      Cli({"submit", WASMHPC_HELLO_WASM, "-n", "1", "--afternotok", first});
  EXPECT_EQ(never.exit_code, 1);
  EXPECT_THAT(never.err, HasSubstr("would wait forever"));
  EXPECT_EQ(
      Cli({"submit", WASMHPC_HELLO_WASM, "-n", "1", "--after", ","}).exit_code,
      2);
}

TEST_F(CliQueueTest, RetriedSubmitsMakeOneJobFoundByNameAndLabel) {
  const std::vector<std::string> args = {
      "-n", "1", "--name", "sweep", "--label", "point=7", "--id", "r-1"};
  const std::string first = Detached(args);
  EXPECT_EQ(Detached(args), first);
  const std::string other =
      Detached({"-n", "1", "--name", "sweep", "--label", "point=8"});
  const std::string unnamed = Detached({"-n", "1"});
  EXPECT_THAT(Listed({}), ElementsAre(unnamed, other, first));
  EXPECT_THAT(Listed({"--oldest-first"}), ElementsAre(first, other, unnamed));
  EXPECT_THAT(Listed({"--name", "sweep"}), ElementsAre(other, first));
  EXPECT_THAT(Listed({"--label", "point=7"}), ElementsAre(first));
  EXPECT_THAT(Listed({"--limit", "1"}), ElementsAre(unnamed));
  // The same --id for another job is refused, saying which job has it.
  Subprocess::Result reused =
      Cli({"submit", WASMHPC_HELLO_WASM, "-n", "2", "--id", "r-1"});
  EXPECT_EQ(reused.exit_code, 1);
  EXPECT_THAT(reused.err, HasSubstr("ALREADY_EXISTS"));
  EXPECT_THAT(reused.err, HasSubstr(first));
  for (const auto& [flag, value] :
       std::vector<std::pair<std::string, std::string>>{{"--label", "novalue"},
                                                        {"--limit", "0"}}) {
    Subprocess::Result bad = Cli({"jobs", flag, value});
    EXPECT_EQ(bad.exit_code, 2) << flag;
    EXPECT_THAT(bad.err, HasSubstr(flag));
  }
}

}  // namespace
}  // namespace wasmhpc::testing
