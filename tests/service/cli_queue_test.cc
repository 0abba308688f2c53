// wasmhpc-cli against the real wasmhpc-head and a fake pool: a queued submit
// says where it stands and follows the queue, retried submits (--id) make
// one job, jobs finds them by --name and --label, newest first, and
// --priority orders the queue within the user's allowance.
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
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
  void SetUp() override { StartHead(); }

  // (Re)starts the head with `args` and attaches a fake pool of 2
  // executors with `pool_token`.
  void StartHead(std::vector<std::string> args = {},
                 const std::string& pool_token = "") {
    pool_.reset();
    head_.reset();
    args.insert(args.begin(), {"--rest-port", "off"});
    absl::StatusOr<std::unique_ptr<HeadProcess>> head =
        HeadProcess::Start(WASMHPC_HEAD_BINARY, dir_.Path("data"), args);
    ASSERT_TRUE(head.ok()) << head.status();
    head_ = *std::move(head);
    pool_ = std::make_unique<GrpcFakePool>(head_->Connect(), pool_token);
    ASSERT_TRUE(pool_->Attach(3).ok());  // 2 executors.
  }

  std::vector<std::string> Argv(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {WASMHPC_CLI, "--server", head_->address()};
    if (!token_file_.empty()) {
      argv.insert(argv.end(), {"--token-file", token_file_});
    }
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
  std::string token_file_;  // The CLI's --token-file, if set.
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

TEST_F(CliQueueTest, AnArraySubmitPrintsItsTasksWhichCancelTogether) {
  Subprocess::Result r =
      Cli({"submit", WASMHPC_HELLO_WASM, "-n", "1", "--array", "0-2%1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> ids =
      absl::StrSplit(absl::StripSuffix(r.out, "\n"), '\n');
  ASSERT_EQ(ids.size(), 3u) << r.out;
  ASSERT_EQ(NextAssigned(), ids[0]);  // %1: one at a time.
  EXPECT_THAT(Listed({"--array", ids[0]}), ElementsAre(ids[2], ids[1], ids[0]));
  ASSERT_EQ(Cli({"cancel", "--array", ids[1]}).exit_code, 0);
  EXPECT_THAT(Listed({"--array", ids[0], "--state", "cancelled"}),
              ElementsAre(ids[2], ids[1]));
  std::optional<v1::HeadMessage> cancel = pool_->Next(kWait);
  ASSERT_TRUE(cancel && cancel->has_cancel());
  EXPECT_EQ(cancel->cancel().job_id(), ids[0]);
  Subprocess::Result bad =
      Cli({"submit", WASMHPC_HELLO_WASM, "-n", "1", "--array", "5-1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("last >= first"));
}

TEST_F(CliQueueTest, JobsPruneDeletesEndedJobsOnly) {
  const std::string ended = Detached({"-n", "1", "--label", "batch=1"});
  ASSERT_EQ(NextAssigned(), ended);
  pool_->Started(ended);
  pool_->Succeeded(ended, 1);
  const std::string running = Detached({"-n", "1", "--label", "batch=1"});
  ASSERT_EQ(NextAssigned(), running);
  Subprocess::Result r = Cli({"jobs", "prune", "--older-than", "1h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "deleted 0 jobs\n");
  r = Cli({"jobs", "prune", "--label", "batch=1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "deleted 1 job\n");
  EXPECT_THAT(Listed({}), ElementsAre(running));
  EXPECT_EQ(Cli({"-o", "json", "jobs", "prune"}).out,
            "{\n \"deleted\": \"0\"\n}\n");
  Subprocess::Result bad = Cli({"jobs", "prune", "--older-than", "1w"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--older-than: 1w: want a count of d, h, m "
                                 "or s (7d, 12h)"));
}

TEST_F(CliQueueTest, APriorityJobGoesFirstWithinTheUsersAllowance) {
  const std::string tokens = dir_.Path("tokens");
  std::ofstream(tokens) << "alice-token-0123456789 alice user\n"
                        << "pool-token-0123456789 pool-a pool\n";
  std::ofstream(dir_.Path("alice")) << "alice-token-0123456789\n";
  ASSERT_EQ(chmod(dir_.Path("alice").c_str(), 0600), 0);
  StartHead({"--auth-tokens", tokens, "--max-user-priority", "5"},
            "pool-token-0123456789");
  token_file_ = dir_.Path("alice");
  const std::string wide = Detached({"-n", "2"});
  ASSERT_EQ(NextAssigned(), wide);
  const std::string normal = Detached({"-n", "1"});
  const std::string urgent = Detached({"-n", "1", "--priority", "5"});
  Subprocess::Result status = Cli({"-o", "yaml", "status", urgent});
  EXPECT_THAT(status.out, HasSubstr("\n  priority: 5\n"));
  EXPECT_THAT(status.out, HasSubstr("\n  position: 1\n"));
  Subprocess::Result above =
      Cli({"submit", WASMHPC_HELLO_WASM, "-n", "1", "--priority", "6"});
  EXPECT_EQ(above.exit_code, 1);
  EXPECT_THAT(above.err, HasSubstr("priority 6 is above the 5 a user may ask"));
  Subprocess::Result bad =
      Cli({"submit", WASMHPC_HELLO_WASM, "-n", "1", "--priority", "soon"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--priority: soon: want a whole number"));
  pool_->Started(wide);
  pool_->Succeeded(wide, 2);
  EXPECT_EQ(NextAssigned(), urgent);
  EXPECT_EQ(NextAssigned(), normal);
}

}  // namespace
}  // namespace wasmhpc::testing
