#include "client-cli/cli_options.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/command_line_testing.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kDigest = "sha256:" + std::string(64, 'a');

// No settings file but those the tests write (the default one is missing).
absl::StatusOr<CliOptions> Parse(std::vector<std::string> args) {
  ScopedEnv no_config("XDG_CONFIG_HOME", "/nonexistent-wasmhpc-test");
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
  EXPECT_THAT(o->jobs_filter.states(),
              ElementsAre(v1::RUNNING, v1::QUEUED, v1::FAILED));

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
  EXPECT_EQ(Error({"--output", "xml", "jobs"}),
            "--output: xml: expected text, wide, json or yaml");
  EXPECT_EQ(Error({"jobs", "-o", "JSON"}),
            "--output: JSON: expected text, wide, json or yaml");
  EXPECT_EQ(Error({"--server", "nohostport", "jobs"}),
            "--server: nohostport: expected HOST:PORT");
  EXPECT_THAT(Error({"modules", "rm", "abc"}), HasSubstr("abc: not a digest"));
  EXPECT_THAT(Error({"jobs", "--state", "DONE"}),
              HasSubstr("--state: DONE: expected QUEUED"));
}

TEST(ParseCommandLine, OutputFormatsLongAndShort) {
  const std::pair<std::vector<std::string>, OutputFormat> cases[] = {
      {{"jobs"}, OutputFormat::kText},
      {{"-o", "wide", "jobs"}, OutputFormat::kWide},
      {{"jobs", "-o", "yaml"}, OutputFormat::kYaml},
      {{"jobs", "-ojson"}, OutputFormat::kJson},
      {{"--output=text", "pools"}, OutputFormat::kText},
      {{"status", "job-1", "--output", "yaml"}, OutputFormat::kYaml}};
  for (const auto& [args, format] : cases) {
    auto o = Parse(args);
    ASSERT_TRUE(o.ok()) << o.status();
    EXPECT_EQ(o->global.output, format) << args[0];
  }
}

TEST(ParseCommandLine, MemoryTakesSizes) {
  auto o = Parse({"submit", "a.wasm", "-n", "1", "--memory", "64M"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->submit.spec.memory_limit_bytes(), uint64_t{64} << 20);
  o = Parse({"submit", "a.wasm", "-n", "1", "--memory=2g"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->submit.spec.memory_limit_bytes(), uint64_t{2} << 30);
  o = Parse({"submit", "a.wasm", "-n", "1"});
  EXPECT_EQ(o->submit.spec.memory_limit_bytes(), 0u);
  EXPECT_EQ(Error({"submit", "a.wasm", "-n", "1", "--memory", "lots"}),
            "--memory: lots: want a byte count, optionally with K, M or G "
            "(64M)");
  EXPECT_EQ(Error({"submit", "a.wasm", "-n", "1", "--memory", "0"}),
            "--memory: 0: want a size above 0 (64M, 2G)");
  EXPECT_EQ(Error({"jobs", "--memory", "1G"}), "unknown option --memory");
}

TEST(ParseCommandLine, PriorityIsAWholeNumberInRange) {
  auto o = Parse({"submit", "a.wasm", "-n", "1", "--priority", "-20"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->submit.spec.priority(), -20);
  EXPECT_EQ(Parse({"submit", "a.wasm", "-n", "1"})->submit.spec.priority(), 0);
  for (const char* bad : {"high", "1001", "-1001", "1.5"}) {
    EXPECT_EQ(Error({"submit", "a.wasm", "-n", "1", "--priority", bad}),
              absl::StrCat("--priority: ", bad,
                           ": want a whole number from -1000 to 1000"));
  }
}

TEST(ParseCommandLine, StdinReadsAFileUpToTheSpecsLimit) {
  TempDir dir("cli_stdin_");
  std::ofstream(dir.Path("in")) << "a\nb\n";
  auto o = Parse({"submit", "a.wasm", "-n", "1", "--stdin", dir.Path("in")});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->submit.spec.stdin(), "a\nb\n");
  std::ofstream(dir.Path("big")) << std::string((256 << 10) + 1, 'x');
  EXPECT_EQ(Error({"submit", "a.wasm", "-n", "1", "--stdin", dir.Path("big")}),
            absl::StrCat("--stdin: ", dir.Path("big"),
                         ": more than 262144 bytes; a job's input travels "
                         "with the job: put larger input in a file of a --dir "
                         "and open it there"));
  EXPECT_EQ(Error({"submit", "a.wasm", "-n", "1", "--stdin", dir.Path("none")}),
            absl::StrCat("--stdin: cannot read ", dir.Path("none"),
                         ": No such file or directory"));
}

TEST(ParseCommandLine, ArraySpecsAsSlurmWritesThem) {
  auto o = Parse({"submit", "a.wasm", "-n", "1", "--array", "0-99:3%4"});
  ASSERT_TRUE(o.ok()) << o.status();
  const v1::ArraySpec& a = o->submit.spec.array();
  EXPECT_EQ(a.first(), 0);
  EXPECT_EQ(a.last(), 99);
  EXPECT_EQ(a.step(), 3);
  EXPECT_EQ(a.max_running(), 4);
  o = Parse({"submit", "a.wasm", "-n", "1", "--array", "7"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->submit.spec.array().first(), 7);
  EXPECT_EQ(o->submit.spec.array().last(), 7);
  EXPECT_FALSE(Parse({"submit", "a.wasm", "-n", "1"})->submit.spec.has_array());
  for (const char* bad : {"", "a-b", "1-", "-3", "1-5%", "1,2,3", "1-5:x"}) {
    EXPECT_EQ(Error({"submit", "a.wasm", "-n", "1", "--array", bad}),
              absl::StrCat("--array: ", bad,
                           ": want FIRST[-LAST[:STEP]][%MAX] (0-99%4, 1-9:2, "
                           "5)"))
        << bad;
  }
  o = Parse({"jobs", "--array", "job-00000004"});
  EXPECT_EQ(o->jobs_filter.array_id(), "job-00000004");
  o = Parse({"cancel", "job-00000004", "--array"});
  EXPECT_TRUE(o->cancel_array);
}

TEST(ParseCommandLine, JobsPruneTakesAgesAndFilters) {
  auto o = Parse({"jobs", "prune", "--older-than", "2d", "--name", "n",
                  "--label", "k=v", "-o", "json"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command, Command::kJobsPrune);
  EXPECT_EQ(o->prune.older_than().seconds(), 2 * 86400);
  EXPECT_EQ(o->prune.name(), "n");
  EXPECT_EQ(o->prune.labels().at("k"), "v");
  EXPECT_EQ(o->global.output, OutputFormat::kJson);
  EXPECT_EQ(Error({"jobs", "prune", "--older-than", "soon"}),
            "--older-than: soon: want a count of d, h, m or s (7d, 12h)");
  EXPECT_EQ(Error({"jobs", "prune", "--state", "failed"}),
            "jobs prune does not take --state (it takes --older-than, --name "
            "and --label)");
}

// The token's sources in order: --token or --token-file,
// $WASMHPC_TOKEN_FILE, $WASMHPC_TOKEN, the settings file.
TEST(ParseCommandLine, TokenFromFlagsThenEnvironmentThenSettingsFile) {
  TempDir dir("cli_opts_");
  std::ofstream(dir.Path("config")) << "token-file = tok\n";
  ScopedEnv config("WASMHPC_CONFIG", dir.Path("config").c_str());
  auto o = Parse({"jobs"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->global.token_file, dir.Path("tok"));  // beside the file
  EXPECT_EQ(o->global.token_file_origin,
            "token-file (" + dir.Path("config") + ":1)");
  {
    ScopedEnv token("WASMHPC_TOKEN", "envtok");
    o = Parse({"jobs"});
    EXPECT_EQ(o->global.token, "envtok");
    EXPECT_EQ(o->global.token_file, "");
    ScopedEnv file("WASMHPC_TOKEN_FILE", "/env/tok");
    o = Parse({"jobs"});
    EXPECT_EQ(o->global.token, "");
    EXPECT_EQ(o->global.token_file, "/env/tok");
    EXPECT_EQ(o->global.token_file_origin, "WASMHPC_TOKEN_FILE");
    o = Parse({"jobs", "--token-file", "/flag/tok"});
    EXPECT_EQ(o->global.token_file, "/flag/tok");
    EXPECT_EQ(o->global.token_file_origin, "--token-file");
    o = Parse({"--token", "flagtok", "jobs"});
    EXPECT_EQ(o->global.token, "flagtok");
    EXPECT_EQ(o->global.token_file, "");
  }
  EXPECT_EQ(Error({"--token", "t", "--token-file", "/f", "jobs"}),
            "pass --token or --token-file, not both (prefer --token-file: a "
            "token on the command line shows in ps)");
}

TEST(ParseCommandLine, SettingsFileBelowFlagsAndEnvironment) {
  TempDir dir("cli_opts_");
  const std::string path = dir.Path("config");
  std::ofstream(path) << "# mine\nserver = cfg:1\noutput = yaml\ntls = true\n"
                         "ca = ~/ca.pem\n";
  ScopedEnv home("HOME", "/home/me");
  auto o = Parse({"--config", path, "jobs"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->global.server, "cfg:1");
  EXPECT_EQ(o->global.output, OutputFormat::kYaml);
  EXPECT_TRUE(o->global.tls);
  EXPECT_EQ(o->global.ca_file, "/home/me/ca.pem");
  ScopedEnv server("WASMHPC_SERVER", "env:2");
  ScopedEnv ca("WASMHPC_CA", "/env/ca.pem");
  ScopedEnv config("WASMHPC_CONFIG", path.c_str());
  o = Parse({"jobs", "-o", "wide"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->global.server, "env:2");
  EXPECT_EQ(o->global.ca_file, "/env/ca.pem");
  EXPECT_EQ(o->global.output, OutputFormat::kWide);
  o = Parse({"jobs", "--server", "flag:3"});
  EXPECT_EQ(o->global.server, "flag:3");
  EXPECT_EQ(o->global.output, OutputFormat::kYaml);
}

TEST(ParseCommandLine, BadSettingsFileNamesFileAndLine) {
  TempDir dir("cli_opts_");
  const std::string path = dir.Path("config");
  std::ofstream(path) << "server = a:1\n\noutput = xml\n";
  EXPECT_EQ(Error({"--config", path, "jobs"}),
            path + ":3: --output: xml: expected text, wide, json or yaml");
  std::ofstream(path) << "server = nohostport\n";
  EXPECT_EQ(Error({"--config", path, "jobs"}),
            path + ":1: --server: nohostport: expected HOST:PORT");
  std::ofstream(path) << "tls = maybe\n";
  EXPECT_THAT(Error({"--config", path, "jobs"}), HasSubstr(path + ":1: "));
  std::ofstream(path) << "colour = never\n";
  EXPECT_THAT(Error({"--config", path, "jobs"}),
              HasSubstr(path + ":1: unknown key 'colour'"));
  EXPECT_EQ(Error({"--config", dir.Path("none"), "jobs"}),
            "config file " + dir.Path("none") +
                ": cannot read it (No such file or directory)");
  ScopedEnv config("WASMHPC_CONFIG", dir.Path("none").c_str());
  EXPECT_THAT(Error({"jobs"}), HasSubstr("cannot read it"));
  // Help, completion and --version work whatever the settings file holds.
  EXPECT_TRUE(Parse({"help"}).ok());
  EXPECT_TRUE(Parse({"completion", "bash"}).ok());
  EXPECT_TRUE(Parse({"--version"}).ok());
}

TEST(ParseCommandLine, HelpTopicsAndCommands) {
  auto push = Parse({"help", "modules", "push"});
  ASSERT_TRUE(push.ok()) << push.status();
  EXPECT_EQ(push->exit_text, Parse({"modules", "push", "--help"})->exit_text);
  EXPECT_THAT(push->exit_text, HasSubstr("usage: wasmhpc-cli modules push"));
  auto submit = Parse({"help", "submit"});
  ASSERT_TRUE(submit.ok());
  EXPECT_THAT(submit->exit_text, HasSubstr("--memory SIZE"));
  auto config = Parse({"help", "config"});
  ASSERT_TRUE(config.ok());
  EXPECT_THAT(config->exit_text,
              HasSubstr("Keys: server, token-file, ca, tls, output"));
  EXPECT_THAT(Parse({"help", "environment"})->exit_text,
              HasSubstr("WASMHPC_TOKEN_FILE"));
  EXPECT_THAT(Parse({"help", "output"})->exit_text, HasSubstr("yaml"));
  EXPECT_EQ(Error({"help", "frob"}),
            "help: no command or topic 'frob' (topics: config, environment, "
            "output; commands: see wasmhpc-cli help)");
}

TEST(ParseCommandLine, CompletionScripts) {
  auto bash = Parse({"completion", "bash"});
  ASSERT_TRUE(bash.ok()) << bash.status();
  EXPECT_THAT(bash->exit_text,
              HasSubstr("complete -F _wasmhpc_cli wasmhpc-cli\n"));
  auto zsh = Parse({"completion", "zsh"});
  ASSERT_TRUE(zsh.ok()) << zsh.status();
  EXPECT_THAT(zsh->exit_text, ::testing::StartsWith("#compdef wasmhpc-cli\n"));
  EXPECT_EQ(Error({"completion", "fish"}),
            "completion: unknown shell 'fish' (use bash or zsh)");
  EXPECT_EQ(Error({"completion"}), "completion needs a shell: bash or zsh");
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
