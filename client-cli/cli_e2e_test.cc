// End-to-end tests of the wasmhpc-cli binary against FakeHead: what it
// prints on stdout and stderr, its exit codes, when it uploads, and that its
// JSON parses back into the API's messages.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cache-store/module_digest.h"
#include "client-cli/subprocess.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/support/fake_head.h"
#include "wasmhpc/v1/modules.pb.h"
#include "wasmhpc/v1/pools.pb.h"

namespace wasmhpc::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using testing::Subprocess;
using ::wasmhpc::testing::FakeHead;
using ::wasmhpc::testing::FakeHeadOptions;

constexpr absl::Duration kCliTimeout = absl::Seconds(30);

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(head_, nullptr);
    dir_ = ::testing::TempDir() + "cli_e2e_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_EQ(system(("mkdir -p " + dir_).c_str()), 0);
    module_ = WriteFile("app.wasm", std::string("\0asm\1\0\0\0", 8));
  }

  void TearDown() override { ASSERT_EQ(system(("rm -rf " + dir_).c_str()), 0); }

  std::string WriteFile(const std::string& name, const std::string& bytes) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::vector<std::string> Argv(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {WASMHPC_CLI, "--server", head_->address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  Subprocess::Result Run(const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {}) {
    return RunRaw(Argv(args), env);
  }

  // No settings file but one a test writes under dir_/xdg.
  Subprocess::Result RunRaw(const std::vector<std::string>& argv,
                            std::vector<std::string> env = {}) {
    env.push_back("XDG_CONFIG_HOME=" + dir_ + "/xdg");
    auto process = Subprocess::Start(argv, env);
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) return {};
    Subprocess::Result result = (*process)->Wait(kCliTimeout);
    EXPECT_FALSE(result.timed_out)
        << "wasmhpc-cli did not finish; stderr: " << result.err;
    return result;
  }

  std::unique_ptr<FakeHead> head_ = FakeHead::Start();
  std::string dir_;
  std::string module_;
};

TEST_F(CliTest, SucceedingJobPrintsRawLogsAndExitsZero) {
  Subprocess::Result r =
      Run({"submit", module_, "--ranks", "2", "--", "succeed"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello from rank 0\n");
  EXPECT_EQ(r.err, "warning from rank 1\n");
}

TEST_F(CliTest, TagOutputPrefixesEachLineWithItsRank) {
  Subprocess::Result r =
      Run({"submit", module_, "--ranks", "2", "--tag-output", "--", "succeed"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[rank 0] hello from rank 0\n");
  EXPECT_EQ(r.err, "[rank 1] warning from rank 1\n");
}

TEST_F(CliTest, FailedJobExitsWithTheFailingRanksCodeAndSaysWhy) {
  Subprocess::Result r = Run({"submit", module_, "--ranks", "2", "--", "fail"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "rank 0 ok\n");
  EXPECT_EQ(r.err,
            "wasmhpc-cli: job job-0001 failed on rank 1 (exit code 3): rank 1 "
            "exited with code 3\n");
}

TEST_F(CliTest, TimedOutJobExits124) {
  Subprocess::Result r = Run(
      {"submit", module_, "--ranks", "1", "--timeout", "1s", "--", "timeout"});
  EXPECT_EQ(r.exit_code, 124);
  EXPECT_EQ(r.out, "working\n");
  EXPECT_EQ(
      r.err,
      "wasmhpc-cli: job job-0001 timed out: exceeded its timeout of 1s\n");
  ASSERT_EQ(head_->submitted().size(), 1u);
  EXPECT_EQ(head_->submitted()[0].timeout().seconds(), 1);
}

TEST_F(CliTest, SubmitSendsTheSpec) {
  Subprocess::Result r =
      Run({"submit", module_, "-n", "3", "--env", "A=1", "--env", "B=x=y",
           "--dir", "/data:/in:ro", "--detach", "--", "other", "--flag"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(head_->submitted().size(), 1u);
  const v1::JobSpec spec = head_->submitted()[0];
  EXPECT_EQ(spec.module_digest(),
            ModuleDigest(std::string("\0asm\1\0\0\0", 8)));
  EXPECT_EQ(spec.ranks(), 3);
  EXPECT_THAT(spec.args(), ElementsAre("other", "--flag"));
  EXPECT_EQ(spec.env().at("A"), "1");
  EXPECT_EQ(spec.env().at("B"), "x=y");
  ASSERT_EQ(spec.dirs_size(), 1);
  EXPECT_EQ(spec.dirs(0).host_path(), "/data");
  EXPECT_EQ(spec.dirs(0).guest_path(), "/in");
  EXPECT_TRUE(spec.dirs(0).read_only());
}

TEST_F(CliTest, UploadsOnlyWhenTheHeadLacksTheDigest) {
  Subprocess::Result first = Run({"submit", module_, "--ranks", "1"});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(head_->module_uploads(), 1);

  Subprocess::Result again = Run({"submit", module_, "--ranks", "1"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(head_->module_uploads(), 1);

  const std::string digest = ModuleDigest(std::string("\0asm\1\0\0\0", 8));
  int gets = head_->module_gets();
  Subprocess::Result by_digest = Run({"submit", digest, "--ranks", "1"});
  EXPECT_EQ(by_digest.exit_code, 0) << by_digest.err;
  EXPECT_EQ(head_->module_uploads(), 1);
  EXPECT_EQ(head_->module_gets(), gets);  // A digest is not looked up.
}

TEST_F(CliTest, UploadsInOneMebibyteChunks) {
  std::string big(2 * (1 << 20) + 5, 'x');
  Subprocess::Result r = Run({"modules", "push", WriteFile("big.wasm", big)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, ModuleDigest(big) + "\n");
  EXPECT_EQ(r.err, "wasmhpc-cli: uploaded " + dir_ + "/big.wasm (2.0 MiB)\n");
  EXPECT_EQ(head_->upload_chunks(), 3);

  Subprocess::Result again = Run({"modules", "push", dir_ + "/big.wasm"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("the head already has"));
  EXPECT_EQ(head_->module_uploads(), 1);
}

TEST_F(CliTest, UnknownDigestFailsAtSubmitNamingTheServer) {
  const std::string digest = "sha256:" + std::string(64, '0');
  Subprocess::Result r = Run({"submit", digest, "--ranks", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            absl::StrCat("wasmhpc-cli: submit: head at ", head_->address(),
                         " answered NOT_FOUND: no "
                         "module ",
                         digest, "\n"));
}

TEST_F(CliTest, ReconnectsAndResumesFromTheLastLogOffset) {
  Subprocess::Result r =
      Run({"submit", module_, "--ranks", "1", "--", "flaky"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "first\nsecond\n");  // Nothing twice, nothing lost.
  EXPECT_THAT(r.err, HasSubstr("UNAVAILABLE: fake head: connection reset; "
                               "reconnecting"));
  EXPECT_THAT(head_->watch_offsets("job-0001"), ElementsAre(0, 6));
}

TEST_F(CliTest, InterruptWithoutTerminalCancelsTheJob) {
  auto process = Subprocess::Start(
      Argv({"submit", module_, "--ranks", "1", "--", "hang"}));
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE(head_->WaitForWatch("job-0001", absl::Seconds(20)))
      << "wasmhpc-cli never watched its job";
  (*process)->Signal(SIGINT);
  Subprocess::Result r = (*process)->Wait(kCliTimeout);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 130);
  EXPECT_EQ(r.out, "waiting\n");
  EXPECT_THAT(head_->cancelled(), ElementsAre("job-0001"));
  EXPECT_THAT(r.err, HasSubstr("wasmhpc-cli: cancelling job job-0001\n"));
  EXPECT_THAT(r.err, HasSubstr("wasmhpc-cli: job job-0001 was cancelled: "
                               "cancelled by user\n"));
}

TEST_F(CliTest, DetachPrintsTheJobIdWithoutWatching) {
  Subprocess::Result r =
      Run({"submit", module_, "--ranks", "1", "--detach", "--", "hang"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "job-0001\n");
  EXPECT_THAT(head_->watch_offsets("job-0001"), IsEmpty());
}

TEST_F(CliTest, JobsStatusLogsAndCancel) {
  ASSERT_EQ(Run({"submit", module_, "--ranks", "2", "--", "fail"}).exit_code,
            3);
  ASSERT_EQ(Run({"submit", module_, "--ranks", "1", "--", "succeed"}).exit_code,
            0);
  ASSERT_EQ(
      Run({"submit", module_, "-n", "1", "--detach", "--", "hang"}).exit_code,
      0);

  Subprocess::Result jobs = Run({"jobs"});  // Three jobs: two pages.
  EXPECT_EQ(jobs.exit_code, 0) << jobs.err;
  std::vector<std::string> lines = absl::StrSplit(jobs.out, '\n');
  ASSERT_EQ(lines.size(), 5u) << jobs.out;
  EXPECT_THAT(lines[0], StartsWith("ID         STATE       RANKS   MODULE"));
  EXPECT_THAT(lines[1], StartsWith("job-0001   FAILED      2       sha256:"));
  EXPECT_THAT(lines[3], StartsWith("job-0003   RUNNING     1       sha256:"));

  Subprocess::Result failed = Run({"jobs", "--state", "failed"});
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(failed.out, '\n')).size(),
            3u);

  Subprocess::Result status = Run({"status", "job-0001"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("state:       FAILED\n"));
  EXPECT_THAT(status.out, HasSubstr("exit code:   3\n"));
  EXPECT_THAT(status.out, HasSubstr("failed rank: 1\n"));
  EXPECT_THAT(status.out, HasSubstr("rank 1:      exit 3\n"));

  Subprocess::Result logs = Run({"logs", "job-0002"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(logs.out, "hello from rank 0\n");
  EXPECT_EQ(logs.err, "warning from rank 1\n");

  // A running job: the log so far, then back to the prompt.
  Subprocess::Result running = Run({"logs", "job-0003"});
  EXPECT_EQ(running.exit_code, 0) << running.err;
  EXPECT_EQ(running.out, "waiting\n");

  Subprocess::Result cancel = Run({"cancel", "job-0003"});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_EQ(cancel.out, "job-0003 CANCELLED\n");

  Subprocess::Result missing = Run({"status", "job-0099"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            absl::StrCat("wasmhpc-cli: status: head at ", head_->address(),
                         " answered NOT_FOUND: no job job-0099\n"));
}

TEST_F(CliTest, JsonOutputParsesBackIntoTheApiMessages) {
  Subprocess::Result submit = Run({"--output", "json", "submit", module_,
                                   "--ranks", "2", "--detach", "--", "fail"});
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  v1::Job job;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(submit.out, &job).ok())
      << submit.out;
  EXPECT_EQ(job.id(), "job-0001");
  EXPECT_EQ(job.spec().ranks(), 2);

  Subprocess::Result jobs = Run({"jobs", "--output=json"});
  v1::ListJobsResponse list;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(jobs.out, &list).ok())
      << jobs.out;
  ASSERT_EQ(list.jobs_size(), 1);
  EXPECT_EQ(list.jobs(0).state(), v1::FAILED);
  EXPECT_THAT(jobs.out, HasSubstr("\"exitCode\": 3"));

  Subprocess::Result modules = Run({"--output", "json", "modules", "ls"});
  v1::ListModulesResponse module_list;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(modules.out, &module_list)
          .ok())
      << modules.out;
  EXPECT_EQ(module_list.modules_size(), 1);

  Subprocess::Result pools = Run({"--output", "json", "pools"});
  v1::ListPoolsResponse pool_list;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(pools.out, &pool_list).ok());
  EXPECT_EQ(pool_list.pools(0).free_ranks(), 3);

  // Following in JSON: one JobEvent per line, the exit code still the job's.
  Subprocess::Result follow = Run(
      {"--output", "json", "submit", module_, "--ranks", "2", "--", "succeed"});
  EXPECT_EQ(follow.exit_code, 0) << follow.err;
  std::vector<v1::JobEvent> events;
  for (absl::string_view line : absl::StrSplit(follow.out, '\n')) {
    if (line.empty()) continue;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                    std::string(line), &events.emplace_back())
                    .ok())
        << line;
  }
  ASSERT_EQ(events.size(), 4u) << follow.out;
  EXPECT_EQ(events[0].job().state(), v1::RUNNING);
  EXPECT_EQ(events[1].log().data(), "hello from rank 0\n");
  EXPECT_EQ(events[2].log().stream(), v1::STDERR);
  EXPECT_EQ(events[3].job().state(), v1::SUCCEEDED);
}

TEST_F(CliTest, ModulesLsAndRm) {
  std::vector<std::string> digests;
  for (const char* name : {"a.wasm", "b.wasm", "c.wasm"}) {
    Subprocess::Result push = Run(
        {"modules", "push", WriteFile(name, std::string("bytes of ") + name)});
    ASSERT_EQ(push.exit_code, 0) << push.err;
    digests.push_back(push.out.substr(0, push.out.size() - 1));
  }
  Subprocess::Result ls = Run({"modules", "ls"});  // Two pages.
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  for (const std::string& digest : digests)
    EXPECT_THAT(ls.out, HasSubstr(digest));
  EXPECT_THAT(ls.out, HasSubstr("a.wasm"));

  Subprocess::Result rm = Run({"modules", "rm", digests[1]});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_EQ(rm.out, "deleted " + digests[1] + "\n");
  EXPECT_THAT(Run({"modules", "ls"}).out,
              ::testing::Not(HasSubstr(digests[1])));

  Subprocess::Result again = Run({"modules", "rm", digests[1]});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("answered NOT_FOUND: no module"));
}

TEST_F(CliTest, PoolsTable) {
  Subprocess::Result r = Run({"pools"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("ID       NAME    STATE    HOSTS    BUSY   FREE"
                                "   ENGINE   ATTACHED\npool-1   local   active "
                                "  node-a   1      3      -        "));
}

TEST_F(CliTest, PoolsDrainAndReportFailure) {
  Subprocess::Result drain =
      Run({"pools", "drain", "pool-1", "--detach", "--reason", "upgrade"});
  EXPECT_EQ(drain.exit_code, 0) << drain.err;
  EXPECT_EQ(drain.out, "pool-1 (local): detaching, 1 busy, 3 free - upgrade\n");
  Subprocess::Result unknown = Run({"pools", "drain", "pool-9"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("answered NOT_FOUND: no pool pool-9"));
  Subprocess::Result report =
      Run({"--output", "json", "pools", "report-failure", "--name", "rack2",
           "--hosts", "n1,n2", "--reason", "mpirun exited with code 1"});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_THAT(report.out, HasSubstr("\"state\": \"POOL_FAILED\""));
  EXPECT_THAT(report.out, HasSubstr("\"n2\""));
}

TEST_F(CliTest, TokenGoesAsBearerMetadataFromFlagOrEnvironment) {
  const std::string token = "s3cret-token-0123";
  head_ = FakeHead::Start(FakeHeadOptions{.required_token = token});
  ASSERT_NE(head_, nullptr);
  Subprocess::Result none = Run({"jobs"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.err,
            absl::StrCat("wasmhpc-cli: head at ", head_->address(),
                         " refused the request (UNAUTHENTICATED: missing "
                         "bearer token (send the header authorization: "
                         "Bearer <token>)); pass --token-file FILE or set "
                         "WASMHPC_TOKEN_FILE (or --token, WASMHPC_TOKEN)\n"));

  const std::string list = "/wasmhpc.v1.JobService/List";
  EXPECT_EQ(Run({"--token", token, "jobs"}).exit_code, 0);
  EXPECT_EQ(head_->Authorization(list), "Bearer " + token);
  EXPECT_EQ(Run({"jobs"}, {"WASMHPC_TOKEN=" + token}).exit_code, 0);
  Subprocess::Result wrong = Run({"jobs", "--token", "nope"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("UNAUTHENTICATED: invalid bearer token"));
  EXPECT_EQ(head_->Authorization(list), "Bearer nope");
}

TEST_F(CliTest, ServerComesFromTheEnvironment) {
  Subprocess::Result r =
      RunRaw({WASMHPC_CLI, "pools"}, {"WASMHPC_SERVER=" + head_->address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("pool-1"));
}

TEST_F(CliTest, UnreachableHeadIsNamedInOneLine) {
  std::string address = head_->address();
  head_.reset();  // Nothing listens there now.
  Subprocess::Result r = RunRaw({WASMHPC_CLI, "--server", address, "jobs"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              StartsWith(absl::StrCat("wasmhpc-cli: cannot reach head at ",
                                      address, ": UNAVAILABLE: ")));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  head_ = FakeHead::Start();
}

TEST_F(CliTest, UsageErrorsExit2) {
  Subprocess::Result no_ranks = Run({"submit", module_});
  EXPECT_EQ(no_ranks.exit_code, 2);
  EXPECT_THAT(no_ranks.err,
              StartsWith("wasmhpc-cli: submit needs --ranks N\n"));
  EXPECT_EQ(Run({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Run({"submit", module_, "--ranks", "0"}).exit_code, 2);
  EXPECT_EQ(Run({"jobs", "--state", "DONE"}).exit_code, 2);
  Subprocess::Result help = Run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, StartsWith("usage: wasmhpc-cli"));
}

TEST_F(CliTest, MissingModuleFileIsAnError) {
  Subprocess::Result r = Run({"submit", dir_ + "/none.wasm", "--ranks", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "wasmhpc-cli: cannot read " + dir_ +
                       "/none.wasm: No such file or directory\n");
  EXPECT_EQ(head_->module_uploads(), 0);
}

}  // namespace
}  // namespace wasmhpc::cli
