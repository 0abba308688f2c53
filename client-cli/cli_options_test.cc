#include "client-cli/cli_options.h"

#include <string>
#include <vector>

#include "common/command_line_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kDigest = "sha256:" + std::string(64, 'a');

absl::StatusOr<CliOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "wasmhpc-cli");
  return ParseCommandLine(args, CliEnvironment{.cwd = "/home/u"});
}

std::string Error(std::vector<std::string> args) {
  absl::StatusOr<CliOptions> options = Parse(std::move(args));
  EXPECT_FALSE(options.ok());
  return options.ok() ? "" : std::string(options.status().message());
}

TEST(ParseCommandLine, SubmitTakesModuleRanksAndGuestArgs) {
  auto o = Parse({"submit", "app.wasm", "--ranks", "4", "--", "-x", "--ranks"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command, Command::kSubmit);
  EXPECT_EQ(o->submit.module, "app.wasm");
  EXPECT_FALSE(o->submit.module_is_digest);
  EXPECT_EQ(o->submit.spec.ranks(), 4);
  EXPECT_THAT(o->submit.spec.args(), ElementsAre("-x", "--ranks"));
  EXPECT_FALSE(o->submit.detach);
}

TEST(ParseCommandLine, SubmitOptionsInAnyOrderAndWithEquals) {
  auto o = Parse({"submit", "--ranks=2", "--env", "A=1", "--env=B=2=3", "--dir",
                  "data:/in:ro", "--timeout", "5m", "--detach", "--tag-output",
                  kDigest});
  ASSERT_TRUE(o.ok()) << o.status();
  const v1::JobSpec& spec = o->submit.spec;
  EXPECT_TRUE(o->submit.module_is_digest);
  EXPECT_EQ(o->submit.module, kDigest);
  EXPECT_EQ(spec.ranks(), 2);
  EXPECT_EQ(spec.env().at("A"), "1");
  EXPECT_EQ(spec.env().at("B"), "2=3");
  ASSERT_EQ(spec.dirs_size(), 1);
  EXPECT_EQ(spec.dirs(0).host_path(), "/home/u/data");
  EXPECT_EQ(spec.dirs(0).guest_path(), "/in");
  EXPECT_TRUE(spec.dirs(0).read_only());
  EXPECT_EQ(spec.timeout().seconds(), 300);
  EXPECT_TRUE(o->submit.detach);
  EXPECT_TRUE(o->submit.tag_output);
}

TEST(ParseCommandLine, GlobalOptionsBeforeOrAfterTheCommand) {
  auto o = Parse(
      {"--server", "head:1234", "jobs", "--output", "json", "--token=t0k"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->global.server, "head:1234");
  EXPECT_EQ(o->global.output, OutputFormat::kJson);
  EXPECT_EQ(o->global.token, "t0k");
}

TEST(ParseCommandLine, EnvironmentGivesDefaultsThatFlagsOverride) {
  {
    ScopedEnv server("WASMHPC_SERVER", "envhost:7");
    ScopedEnv token("WASMHPC_TOKEN", "envtok");
    auto o = Parse({"pools"});
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o->global.server, "envhost:7");
    EXPECT_EQ(o->global.token, "envtok");
    o = Parse({"--server", "flag:8", "--token", "flagtok", "pools"});
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o->global.server, "flag:8");
    EXPECT_EQ(o->global.token, "flagtok");
    ScopedEnv bad("WASMHPC_SERVER", "nohostport");
    EXPECT_EQ(Error({"pools"}), "--server: nohostport: expected HOST:PORT");
  }
  auto o = Parse({"pools"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->global.server, "127.0.0.1:7070");
  EXPECT_EQ(o->global.token, "");
}

TEST(ParseCommandLine, TlsAndCaBeforeOrAfterTheCommand) {
  auto o = Parse({"jobs"});
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->global.tls);
  EXPECT_EQ(o->global.ca_file, "");
  o = Parse({"--tls", "jobs", "--ca", "/etc/ca.pem"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->global.tls);
  EXPECT_EQ(o->global.ca_file, "/etc/ca.pem");
  ScopedEnv ca("WASMHPC_CA", "/env/ca.pem");
  o = Parse({"pools"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->global.ca_file, "/env/ca.pem");
  o = Parse({"pools", "--ca=/flag/ca.pem"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->global.ca_file, "/flag/ca.pem");
  EXPECT_THAT(Error({"--tls=maybe", "jobs"}), HasSubstr("--tls"));
  EXPECT_THAT(Error({"jobs", "--ca"}), HasSubstr("--ca: 1 required"));
  EXPECT_THAT(Error({"jobs", "--ca="}), HasSubstr("--ca: 1 required"));
}

TEST(ParseCommandLine, GlobalOptionsAfterDashDashBelongToTheGuest) {
  auto o = Parse({"submit", "a.wasm", "-n", "1", "--", "--output", "json"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->global.output, OutputFormat::kText);
  EXPECT_THAT(o->submit.spec.args(), ElementsAre("--output", "json"));
}

TEST(ParseCommandLine, OtherCommands) {
  auto o = Parse({"status", "job-1"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->command, Command::kStatus);
  EXPECT_EQ(o->job_id, "job-1");

  o = Parse({"logs", "-f", "job-2"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->command, Command::kLogs);
  EXPECT_TRUE(o->follow);
  EXPECT_EQ(o->job_id, "job-2");

  o = Parse({"cancel", "job-3"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->command, Command::kCancel);

  o = Parse({"jobs", "--state", "running,QUEUED", "--state", "failed"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_THAT(o->states, ElementsAre(v1::RUNNING, v1::QUEUED, v1::FAILED));

  o = Parse({"modules", "push", "x.wasm"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->command, Command::kModulesPush);
  EXPECT_EQ(o->module_arg, "x.wasm");

  o = Parse({"modules", "ls"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->command, Command::kModulesLs);

  o = Parse({"modules", "rm", kDigest});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->command, Command::kModulesRm);
  EXPECT_EQ(o->module_arg, kDigest);
}

TEST(ParseCommandLine, PoolCommands) {
  auto o = Parse({"pools", "ls"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command, Command::kPools);
  o = Parse({"pools", "drain", "pool-a-1", "--detach", "--reason=upgrade"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command, Command::kPoolsDrain);
  EXPECT_EQ(o->pool.id, "pool-a-1");
  EXPECT_TRUE(o->pool.detach);
  EXPECT_EQ(o->pool.reason, "upgrade");
  o = Parse({"pools", "resume", "pool-a-1"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command, Command::kPoolsResume);
  EXPECT_FALSE(o->pool.detach);
  o = Parse({"pools", "report-failure", "--name", "rack", "--hosts", "a,,b",
             "--reason", "mpirun exited"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command, Command::kPoolsReportFailure);
  EXPECT_EQ(o->pool.name, "rack");
  EXPECT_THAT(o->pool.hosts, ElementsAre("a", "b"));
  EXPECT_EQ(o->pool.reason, "mpirun exited");

  EXPECT_EQ(Error({"pools", "evict"}),
            "unknown command 'pools evict': use ls, drain, resume or "
            "report-failure");
  EXPECT_EQ(Error({"pools", "drain"}),
            "pools drain/resume needs a pool id (see wasmhpc-cli pools)");
  EXPECT_EQ(Error({"pools", "resume", "p", "--detach"}),
            "unknown option --detach");
  EXPECT_EQ(Error({"pools", "drain", "p", "--name", "x"}),
            "unknown option --name");
  EXPECT_EQ(Error({"pools", "report-failure", "--name", "rack"}),
            "pools report-failure needs --name NAME and --reason TEXT");
}

TEST(ParseCommandLine, HelpAnywhere) {
  for (auto args :
       std::vector<std::vector<std::string>>{{"--help"},
                                             {"-h"},
                                             {"help"},
                                             {"jobs", "--help"},
                                             {"submit", "a.wasm", "-h"}}) {
    auto o = Parse(args);
    ASSERT_TRUE(o.ok()) << args[0];
    EXPECT_EQ(o->command, Command::kHelp);
    EXPECT_THAT(o->exit_text, HasSubstr("usage: wasmhpc-cli")) << args[0];
  }
}

TEST(ParseCommandLine, EachCommandHasItsOwnHelp) {
  auto top = Parse({"--help"});
  ASSERT_TRUE(top.ok());
  EXPECT_THAT(top->exit_text, HasSubstr("(Env:WASMHPC_SERVER)"));
  for (const char* command : {"submit", "jobs", "logs", "cancel", "pools"}) {
    EXPECT_THAT(top->exit_text, HasSubstr(command));
  }
  EXPECT_EQ(Parse({"help"})->exit_text, top->exit_text);
  auto submit = Parse({"submit", "--help"});
  ASSERT_TRUE(submit.ok());
  EXPECT_THAT(submit->exit_text, HasSubstr("usage: wasmhpc-cli submit"));
  EXPECT_THAT(submit->exit_text, HasSubstr("--tag-output"));
  EXPECT_THAT(submit->exit_text, Not(HasSubstr("--follow")));
  auto drain = Parse({"pools", "drain", "-h"});
  ASSERT_TRUE(drain.ok());
  EXPECT_THAT(drain->exit_text, HasSubstr("usage: wasmhpc-cli pools drain"));
  EXPECT_THAT(drain->exit_text, HasSubstr("--detach"));
  // After --, --help is the guest's.
  auto guest = Parse({"submit", "a.wasm", "-n", "1", "--", "--help"});
  ASSERT_TRUE(guest.ok()) << guest.status();
  EXPECT_EQ(guest->command, Command::kSubmit);
  EXPECT_THAT(guest->submit.spec.args(), ElementsAre("--help"));
}

TEST(ParseCommandLine, Version) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--version"}, {"jobs", "--version"}}) {
    auto o = Parse(args);
    ASSERT_TRUE(o.ok()) << o.status();
    EXPECT_EQ(o->command, Command::kHelp);
    EXPECT_EQ(o->exit_text, VersionText("wasmhpc-cli"));
  }
}

TEST(ParseCommandLine, ErrorsNameTheOffendingArgument) {
  EXPECT_EQ(Error({}), "no command given");
  EXPECT_EQ(Error({"frob"}), "unknown command 'frob'");
  EXPECT_EQ(Error({"modules"}), "modules needs push, ls or rm");
  EXPECT_EQ(Error({"modules", "cp"}),
            "unknown command 'modules cp': use push, ls or rm");
  EXPECT_EQ(Error({"submit", "a.wasm"}), "submit needs --ranks N");
  EXPECT_EQ(Error({"submit", "--ranks", "2"}),
            "submit needs a module (app.wasm or sha256:...)");
  EXPECT_EQ(Error({"submit", "a.wasm", "--ranks", "0"}),
            "--ranks: 0: expected a number of at least 1");
  EXPECT_EQ(Error({"submit", "a.wasm", "--ranks", "-3"}),
            "--ranks: -3: expected a number of at least 1");
  EXPECT_THAT(Error({"submit", "a.wasm", "--ranks"}),
              HasSubstr("--ranks: 1 required"));
  EXPECT_EQ(Error({"submit", "a.wasm", "-n", "2", "extra"}),
            "unexpected argument 'extra' (the guest's arguments go after --)");
  EXPECT_EQ(Error({"submit", "a.wasm", "-n", "2", "--env", "=x"}),
            "--env: =x: expected K=V");
  EXPECT_EQ(Error({"submit", "a.wasm", "-n", "2", "--env", "x"}),
            "--env: x: expected K=V");
  EXPECT_EQ(Error({"submit", "a.wasm", "-n", "2", "--timeout", "soon"}),
            "--timeout: soon: expected a duration like 30s, 5m or 1h30m");
  EXPECT_THAT(Error({"submit", "a.wasm", "-n", "2", "--detach=maybe"}),
              HasSubstr("--detach"));
  EXPECT_EQ(Error({"jobs", "--", "x"}),
            "unexpected argument '--' (only submit takes the guest's "
            "arguments)");
  EXPECT_THAT(Error({"submit", "sha256:abc", "-n", "2"}),
              HasSubstr("sha256:abc: not a digest"));
  EXPECT_EQ(Error({"status"}), "status needs a job id");
  EXPECT_EQ(Error({"logs", "a", "b"}), "unexpected argument 'b'");
  EXPECT_EQ(Error({"jobs", "-f"}), "unknown option -f");
  EXPECT_EQ(Error({"--bogus", "jobs"}), "unknown option --bogus");
  EXPECT_EQ(Error({"--output", "yaml", "jobs"}),
            "--output: yaml: expected text or json");
  EXPECT_EQ(Error({"--server", "nohostport", "jobs"}),
            "--server: nohostport: expected HOST:PORT");
  EXPECT_THAT(Error({"modules", "rm", "abc"}), HasSubstr("abc: not a digest"));
  EXPECT_THAT(Error({"jobs", "--state", "DONE"}),
              HasSubstr("--state: DONE: expected QUEUED"));
}

TEST(ParseTimeout, AcceptsDurationsAndPlainSeconds) {
  EXPECT_EQ(*ParseTimeout("30s"), absl::Seconds(30));
  EXPECT_EQ(*ParseTimeout("5m"), absl::Minutes(5));
  EXPECT_EQ(*ParseTimeout("1h30m"), absl::Minutes(90));
  EXPECT_EQ(*ParseTimeout("250ms"), absl::Milliseconds(250));
  EXPECT_EQ(*ParseTimeout("90"), absl::Seconds(90));
  EXPECT_EQ(*ParseTimeout("0"), absl::ZeroDuration());
  EXPECT_FALSE(ParseTimeout("-5s").ok());
  EXPECT_FALSE(ParseTimeout("inf").ok());
  EXPECT_FALSE(ParseTimeout("").ok());
  EXPECT_FALSE(ParseTimeout("5 minutes").ok());
}

TEST(ParseDirSpec, HostGuestReadOnlyAndRelativePaths) {
  auto dir = ParseDirSpec("/data", "/cwd");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->host_path(), "/data");
  EXPECT_EQ(dir->guest_path(), "/data");
  EXPECT_FALSE(dir->read_only());

  dir = ParseDirSpec("/data:/in/:ro", "/cwd");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->guest_path(), "/in");
  EXPECT_TRUE(dir->read_only());

  dir = ParseDirSpec("out", "/cwd/");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->host_path(), "/cwd/out");
  EXPECT_EQ(dir->guest_path(), "out");

  dir = ParseDirSpec(".:/work", "/cwd");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->host_path(), "/cwd");
  EXPECT_EQ(dir->guest_path(), "/work");

  EXPECT_FALSE(ParseDirSpec(":/in", "/cwd").ok());
  EXPECT_FALSE(ParseDirSpec("/a:", "/cwd").ok());
  EXPECT_THAT(std::string(ParseDirSpec("/a:/b:rw", "/").status().message()),
              HasSubstr("unknown mode 'rw'"));
}

}  // namespace
}  // namespace wasmhpc::cli
