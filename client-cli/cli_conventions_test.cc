// The conventions of wasmhpc-cli end to end against FakeHead: -o yaml
// reads back as the same data as -o json, -o wide, the token from a file,
// the settings file below flags and environment, submit --memory, and the
// bash completion script in a real bash.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client-cli/subprocess.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_head.h"

namespace wasmhpc::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::Subprocess;
using ::wasmhpc::testing::FakeHead;
using ::wasmhpc::testing::FakeHeadOptions;

// Compares a YAML file with JSON (one document, or JSON lines with
// `stream`) the way a reader of each sees them; prints why they differ.
constexpr char kSameData[] = R"(
import json, sys, yaml
y, j, stream = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
a = list(yaml.safe_load_all(y)) if stream == "1" else yaml.safe_load(y)
b = [json.loads(l) for l in j.splitlines() if l] if stream == "1" else json.loads(j)
if a != b:
    sys.exit("differ:\nyaml %r\njson %r" % (a, b))
)";

class CliConventionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(head_, nullptr);
    module_ = dir_.Path("app.wasm");
    std::ofstream(module_, std::ios::binary) << std::string("\0asm\1\0\0\0", 8);
  }

  // wasmhpc-cli ARGS, its settings file looked for under dir_/xdg.
  Subprocess::Result Cli(const std::vector<std::string>& args,
                         std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {WASMHPC_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    env.push_back("XDG_CONFIG_HOME=" + dir_.Path("xdg"));
    return Exec(argv, env);
  }
  Subprocess::Result AtHead(std::vector<std::string> args,
                            std::vector<std::string> env = {}) {
    args.insert(args.begin(), {"--server", head_->address()});
    return Cli(args, std::move(env));
  }
  static Subprocess::Result Exec(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env = {}) {
    auto process = Subprocess::Start(argv, env);
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) return {};
    Subprocess::Result result = (*process)->Wait(absl::Seconds(30));
    EXPECT_FALSE(result.timed_out) << argv[0] << ": " << result.err;
    return result;
  }

  std::string Write(const std::string& name, const std::string& text,
                    mode_t mode = 0600) {
    const std::string path = dir_.Path(name);
    std::ofstream(path) << text;
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }

  // Whether -o yaml and -o json of ARGS print the same data.
  void ExpectYamlIsJson(std::vector<std::string> args, bool stream = false) {
    args.insert(args.begin(), "-o");
    args.insert(args.begin() + 1, "yaml");
    Subprocess::Result yaml = AtHead(args);
    args[1] = "json";
    Subprocess::Result json = AtHead(args);
    ASSERT_EQ(yaml.exit_code, json.exit_code) << yaml.err;
    Subprocess::Result same =
        Exec({"/usr/bin/python3", "-c", kSameData, Write("out.yaml", yaml.out),
              Write("out.json", json.out), stream ? "1" : "0"});
    EXPECT_EQ(same.exit_code, 0) << args[2] << ": " << same.err;
  }

  std::unique_ptr<FakeHead> head_ = FakeHead::Start();
  TempDir dir_{"cli_conv_"};
  std::string module_;
};

TEST_F(CliConventionsTest, YamlReadsBackAsTheJsonData) {
  if (Exec({"/usr/bin/python3", "-c", "import yaml"}).exit_code != 0) {
    GTEST_SKIP() << "needs python3-yaml to read the YAML back";
  }
  // Strings YAML would misread if printed plain.
  Subprocess::Result submit = AtHead(
      {"submit", module_, "-n",       "2",          "--env", "NO=off",
       "--env",  "E=1e3", "--detach", "--memory",   "64M",   "--",
       "fail",   "yes",   "a: b",     "#x",         " lead", "two\nlines",
       "null",   "~",     "0x1F",     "2024-05-01", "\"q\\"});
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  ExpectYamlIsJson({"status", "job-0001"});
  ExpectYamlIsJson({"jobs"});
  ExpectYamlIsJson({"modules", "ls"});
  ExpectYamlIsJson({"pools"});
  ExpectYamlIsJson({"logs", "job-0001"}, /*stream=*/true);
  Subprocess::Result yaml = AtHead({"status", "job-0001", "-o", "yaml"});
  EXPECT_THAT(yaml.out, HasSubstr("\n  - \"yes\"\n"));
  EXPECT_THAT(yaml.out, HasSubstr("\n  memoryLimitBytes: \"67108864\"\n"));
}

TEST_F(CliConventionsTest, WideTablesHaveMoreColumns) {
  ASSERT_EQ(AtHead({"submit", module_, "-n", "2", "--", "fail"}).exit_code, 3);
  Subprocess::Result wide = AtHead({"jobs", "-o", "wide"});
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  std::vector<std::string> lines = absl::StrSplit(wide.out, '\n');
  ASSERT_EQ(lines.size(), 3u) << wide.out;
  EXPECT_THAT(lines[0], ::testing::MatchesRegex(".* AGE +STARTED +FINISHED "
                                                "+EXIT +POOL +OWNER .*"));
  EXPECT_THAT(lines[1], ::testing::MatchesRegex("job-0001 +FAILED .* 3 .*"));
  EXPECT_THAT(AtHead({"pools", "-o", "wide"}).out, HasSubstr("FINGERPRINT"));
  EXPECT_THAT(AtHead({"modules", "ls", "-o", "wide"}).out,
              HasSubstr("MPI-IMPORTS"));
  Subprocess::Result bad = AtHead({"jobs", "-o", "tabular"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, StartsWith("wasmhpc-cli: --output: tabular: expected "
                                  "text, wide, json or yaml\n"));
}

TEST_F(CliConventionsTest, TokenFromAFileNeverOnTheCommandLine) {
  head_ =
      FakeHead::Start(FakeHeadOptions{.required_token = "s3cret-token-0123"});
  ASSERT_NE(head_, nullptr);
  const std::string list = "/wasmhpc.v1.JobService/List";
  const std::string file = Write("token", "s3cret-token-0123\n");
  Subprocess::Result flag = AtHead({"--token-file", file, "jobs"});
  EXPECT_EQ(flag.exit_code, 0) << flag.err;
  EXPECT_EQ(flag.err, "");
  EXPECT_EQ(head_->Authorization(list), "Bearer s3cret-token-0123");
  // $WASMHPC_TOKEN_FILE wins over $WASMHPC_TOKEN, as in the Python client.
  Subprocess::Result env =
      AtHead({"jobs"}, {"WASMHPC_TOKEN_FILE=" + file, "WASMHPC_TOKEN=wrong"});
  EXPECT_EQ(env.exit_code, 0) << env.err;

  const std::string shared = Write("shared", "s3cret-token-0123\n", 0644);
  Subprocess::Result loose = AtHead({"jobs", "--token-file", shared});
  EXPECT_EQ(loose.exit_code, 0) << loose.err;
  EXPECT_EQ(loose.err, "wasmhpc-cli: warning: --token-file " + shared +
                           " can be read by other users (chmod 600 " + shared +
                           ")\n");

  Subprocess::Result missing =
      AtHead({"jobs"}, {"WASMHPC_TOKEN_FILE=" + dir_.Path("none")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "wasmhpc-cli: WASMHPC_TOKEN_FILE " +
                             dir_.Path("none") +
                             ": cannot open it (No such file or directory)\n");
  Subprocess::Result both =
      AtHead({"--token", "s3cret-token-0123", "--token-file", file, "jobs"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err,
              StartsWith("wasmhpc-cli: pass --token or --token-file, not "
                         "both"));
}

// wasmhpc-pool reports a failed launch through wasmhpc-cli with its token
// file, so the pool's token never shows in ps.
TEST_F(CliConventionsTest, PoolLauncherPassesItsTokenFileToTheCli) {
  const std::string token = Write("pool.token", "s3cret-token-0123\n");
  const std::string cli =
      Write("cli.sh", "#!/bin/sh\necho \"$@\" > \"$0.args\"\n", 0700);
  Subprocess::Result launch = Exec(
      {WASMHPC_POOL_SCRIPT, "--head", head_->address(), "--token-file", token,
       "--cli", cli, "--worker", "/bin/true", "--mpirun", "/bin/false"});
  EXPECT_EQ(launch.exit_code, 1) << launch.err;
  const std::string args = ReadTestFile(cli + ".args");
  EXPECT_THAT(args, HasSubstr("--token-file " + token + " "));
  EXPECT_THAT(args, Not(HasSubstr("s3cret")));
}

TEST_F(CliConventionsTest, SettingsFileBelowFlagsAndEnvironment) {
  head_ =
      FakeHead::Start(FakeHeadOptions{.required_token = "s3cret-token-0123"});
  ASSERT_NE(head_, nullptr);
  Write("token", "s3cret-token-0123\n");
  ASSERT_EQ(mkdir(dir_.Path("xdg").c_str(), 0700), 0);
  ASSERT_EQ(mkdir(dir_.Path("xdg/wasmhpc").c_str(), 0700), 0);
  Write(
      "xdg/wasmhpc/config",
      absl::StrCat("# wasmhpc-cli settings\nserver = ", head_->address(),
                   "\ntoken-file = ", dir_.Path("token"), "\noutput = json\n"));
  Subprocess::Result plain = Cli({"pools"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, StartsWith("{\n \"pools\": ["));
  EXPECT_EQ(head_->Authorization("/wasmhpc.v1.PoolService/List"),
            "Bearer s3cret-token-0123");
  // A flag and an environment variable each win over the file.
  EXPECT_THAT(Cli({"pools", "-o", "text"}).out, StartsWith("ID "));
  Subprocess::Result env = Cli({"pools"}, {"WASMHPC_SERVER=127.0.0.1:1"});
  EXPECT_EQ(env.exit_code, 1);
  EXPECT_THAT(env.err, HasSubstr("cannot reach head at 127.0.0.1:1"));
  EXPECT_EQ(Cli({"pools"}, {"WASMHPC_TOKEN=wrong"}).exit_code, 1);

  const std::string bad = Write("bad.conf", "server = h:1\noutput: json\n");
  Subprocess::Result broken = Cli({"--config", bad, "pools"});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_THAT(broken.err, StartsWith("wasmhpc-cli: " + bad +
                                     ":2: expected KEY = VALUE, got 'output: "
                                     "json'\n"));
  Subprocess::Result unreadable =
      Cli({"pools"}, {"WASMHPC_CONFIG=" + dir_.Path("none")});
  EXPECT_EQ(unreadable.exit_code, 2);
  EXPECT_THAT(unreadable.err, HasSubstr("config file " + dir_.Path("none") +
                                        ": cannot read it"));
}

TEST_F(CliConventionsTest, MemoryLimitGoesInTheSpec) {
  Subprocess::Result r =
      AtHead({"submit", module_, "-n", "1", "--memory", "2G", "--detach"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(head_->submitted().size(), 1u);
  EXPECT_EQ(head_->submitted()[0].memory_limit_bytes(), uint64_t{2} << 30);
  Subprocess::Result bad =
      AtHead({"submit", module_, "-n", "1", "--memory", "2GB"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, StartsWith("wasmhpc-cli: --memory: 2GB: want a byte "
                                  "count, optionally with K, M or G (64M)\n"));
  EXPECT_EQ(head_->submitted().size(), 1u);
}

// What a shell's `argv` (a -c program) prints; it must exit 0.
std::string ShellOutput(const std::vector<std::string>& argv) {
  auto shell = Subprocess::Start(argv);
  EXPECT_TRUE(shell.ok());
  if (!shell.ok()) return "";
  Subprocess::Result r = (*shell)->Wait(absl::Seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// What bash completes for the words of a command line (bash syntax; '' for
// an empty last word), the last one being completed, with the script from
// `wasmhpc-cli completion bash` sourced.
std::string Complete(const std::string& script, const std::string& words) {
  const std::string program = absl::StrCat(
      "source ", script, "\nCOMP_WORDS=(", words,
      ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
      "complete -p wasmhpc-cli >/dev/null || exit 3\n_wasmhpc_cli\n"
      "printf '%s\\n' \"${COMPREPLY[@]}\"\n");
  return ShellOutput({"/bin/bash", "--norc", "-c", program});
}

TEST_F(CliConventionsTest, BashCompletesCommandsOptionsAndValues) {
  Subprocess::Result script = Cli({"completion", "bash"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  const std::string path = Write("wasmhpc-cli.bash", script.out);
  EXPECT_EQ(Complete(path, "wasmhpc-cli s"), "submit\nstatus\n");
  EXPECT_EQ(Complete(path, "wasmhpc-cli modules ''"),
            "push\nls\nlist\nrm\ndelete\n");
  EXPECT_EQ(Complete(path, "wasmhpc-cli --server h:1 pools d"), "drain\n");
  EXPECT_EQ(Complete(path, "wasmhpc-cli submit --me"), "--memory\n");
  EXPECT_EQ(Complete(path, "wasmhpc-cli submit --ranks 2 --t"),
            "--token\n--token-file\n--tls\n--timeout\n--tag-output\n");
  EXPECT_EQ(Complete(path, "wasmhpc-cli jobs -o ''"),
            "text\nwide\njson\nyaml\n");
  EXPECT_EQ(Complete(path, "wasmhpc-cli completion ''"), "bash\nzsh\n");
  EXPECT_EQ(Complete(path, "wasmhpc-cli help con"), "config\n");
  // A module to submit: the files there.
  EXPECT_EQ(Complete(path, "wasmhpc-cli submit " + dir_.Path("app.w")),
            dir_.Path("app.wasm") + "\n");
}

// What the zsh function offers for `words` (zsh syntax; '' for an empty
// last word), the last being completed, with the script from `wasmhpc-cli
// completion zsh` sourced and zsh's compadd, _files and compdef stood in for
// (zsh itself filters the offers by the word's prefix).
std::string ZshOffers(const std::string& script, const std::string& words) {
  const std::string program = absl::StrCat(
      "compadd() { [[ $1 == -- ]] && shift; print -l -- \"$@\"; }\n"
      "_files() { print FILES; }\n"
      "source ",
      script, " >/dev/null\nwords=(", words,
      ")\nCURRENT=${#words}\n_wasmhpc_cli\n");
  return ShellOutput({"/bin/zsh", "-f", "-c", program});
}

TEST_F(CliConventionsTest, ZshCompletesCommandsOptionsAndValues) {
  if (access("/bin/zsh", X_OK) != 0) {
    GTEST_SKIP() << "no /bin/zsh (deploy/local/install-deps.sh installs it)";
  }
  Subprocess::Result script = Cli({"completion", "zsh"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  const std::string path = Write("_wasmhpc-cli", script.out);
  EXPECT_EQ(ZshOffers(path, "wasmhpc-cli modules ''"),
            "push\nls\nlist\nrm\ndelete\n");
  EXPECT_EQ(ZshOffers(path, "wasmhpc-cli --server h:1 jobs ''"), "prune\n");
  EXPECT_EQ(ZshOffers(path, "wasmhpc-cli jobs -o ''"),
            "text\nwide\njson\nyaml\n");
  EXPECT_EQ(ZshOffers(path, "wasmhpc-cli jobs prune --o"),
            "--version\n-h\n--help\n--server\n--token\n--token-file\n"
            "--tls\n--ca\n-o\n--output\n--config\n--older-than\n--name\n"
            "--label\n");
  EXPECT_EQ(ZshOffers(path, "wasmhpc-cli submit app.wasm --stdin ''"),
            "FILES\n");
  EXPECT_EQ(ZshOffers(path, "wasmhpc-cli submit ''"), "FILES\n");
}

}  // namespace
}  // namespace wasmhpc::cli
