// wasmhpc-cli against the real wasmhpc-head (no pool): modules push, ls and
// rm, a malformed module refused at upload, and the token of a head with
// --auth-tokens from a token file named in the settings file.
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache-store/module_digest.h"
#include "client-cli/subprocess.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "wasmhpc/v1/modules.pb.h"

namespace wasmhpc::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Subprocess;

constexpr char kListening[] = "wasmhpc-head: listening on ";

class RealHeadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> argv = {
        WASMHPC_HEAD, "--grpc-port", "0",          "--rest-port",    "off",
        "--host",     "127.0.0.1",   "--data-dir", dir_.Path("data")};
    argv.insert(argv.end(), head_flags_.begin(), head_flags_.end());
    auto head = Subprocess::Start(argv);
    ASSERT_TRUE(head.ok()) << head.status();
    head_ = *std::move(head);
    std::optional<std::string> line = head_->ReadStdoutLine(absl::Seconds(60));
    ASSERT_TRUE(line.has_value())
        << "wasmhpc-head printed no listening line; stderr: "
        << head_->Wait(absl::Seconds(5)).err;
    ASSERT_TRUE(absl::StartsWith(*line, kListening)) << *line;
    address_ = line->substr(sizeof(kListening) - 1);
  }

  void TearDown() override {
    if (head_) {
      head_->Signal(SIGTERM);
      head_->Wait(absl::Seconds(20));
    }
  }

  // wasmhpc-cli ARGS at the head; its settings file under dir_/xdg.
  Subprocess::Result Cli(const std::vector<std::string>& args,
                         bool with_server = true) {
    std::vector<std::string> argv = {WASMHPC_CLI};
    if (with_server) argv.insert(argv.end(), {"--server", address_});
    argv.insert(argv.end(), args.begin(), args.end());
    auto cli = Subprocess::Start(argv, {"XDG_CONFIG_HOME=" + dir_.Path("xdg")});
    EXPECT_TRUE(cli.ok()) << cli.status();
    if (!cli.ok()) return {};
    Subprocess::Result result = (*cli)->Wait(absl::Seconds(60));
    EXPECT_FALSE(result.timed_out);
    return result;
  }

  TempDir dir_{"cli_head_"};
  // More flags for wasmhpc-head. Default: none.
  std::vector<std::string> head_flags_;
  std::string address_;
  std::unique_ptr<Subprocess> head_;
};

TEST_F(RealHeadTest, ModulesPushLsRm) {
  const std::string digest = ModuleDigest(ReadTestFile(WASMHPC_HELLO_WASM));

  Subprocess::Result push = Cli({"modules", "push", WASMHPC_HELLO_WASM});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_EQ(push.out, digest + "\n");
  EXPECT_THAT(push.err, HasSubstr("wasmhpc-cli: uploaded"));

  Subprocess::Result again = Cli({"modules", "push", WASMHPC_HELLO_WASM});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, digest + "\n");
  EXPECT_THAT(again.err, HasSubstr("the head already has"));

  Subprocess::Result ls = Cli({"modules", "ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.out, HasSubstr(digest));
  EXPECT_THAT(ls.out, HasSubstr("hello.wasm"));

  Subprocess::Result json = Cli({"--output", "json", "modules", "ls"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  v1::ListModulesResponse modules;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json.out, &modules).ok())
      << json.out;
  ASSERT_EQ(modules.modules_size(), 1);
  EXPECT_EQ(modules.modules(0).digest(), digest);
  EXPECT_EQ(modules.modules(0).size_bytes(),
            ReadTestFile(WASMHPC_HELLO_WASM).size());

  Subprocess::Result rm = Cli({"modules", "rm", digest});
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_EQ(rm.out, "deleted " + digest + "\n");
  EXPECT_THAT(Cli({"modules", "ls"}).out, Not(HasSubstr(digest)));

  Subprocess::Result missing = Cli({"modules", "rm", digest});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err,
              HasSubstr(absl::StrCat("modules rm: head at ", address_,
                                     " answered NOT_FOUND")));
}

TEST_F(RealHeadTest, MalformedModuleIsRefusedAtUpload) {
  const std::string path = dir_.Path("bad.wasm");
  std::ofstream(path, std::ios::binary) << "this is not WebAssembly";
  Subprocess::Result push = Cli({"modules", "push", path});
  EXPECT_EQ(push.exit_code, 1);
  EXPECT_THAT(push.err,
              HasSubstr(absl::StrCat("upload of ", path, ": head at ", address_,
                                     " answered INVALID_ARGUMENT")));
  EXPECT_EQ(push.out, "");
  Subprocess::Result ls = Cli({"modules", "ls"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out, "DIGEST   NAME   SIZE   UPLOADED\n");
}

// The head requires tokens: the CLI finds its own in a token file named by
// the settings file, never on its command line.
class RealHeadAuthTest : public RealHeadTest {
 protected:
  void SetUp() override {
    const std::string tokens = dir_.Path("tokens");
    std::ofstream(tokens) << kToken << " alice user\n";
    ASSERT_EQ(chmod(tokens.c_str(), 0600), 0);
    head_flags_ = {"--auth-tokens", tokens};
    RealHeadTest::SetUp();
  }
  static constexpr char kToken[] = "0123456789abcdef-alice";
};

TEST_F(RealHeadAuthTest, TokenFileFromTheSettingsFile) {
  Subprocess::Result refused = Cli({"jobs"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("pass --token-file FILE"));
  std::ofstream(dir_.Path("token")) << kToken << "\n";
  ASSERT_EQ(chmod(dir_.Path("token").c_str(), 0600), 0);
  ASSERT_EQ(mkdir(dir_.Path("xdg").c_str(), 0700), 0);
  ASSERT_EQ(mkdir(dir_.Path("xdg/wasmhpc").c_str(), 0700), 0);
  std::ofstream(dir_.Path("xdg/wasmhpc/config"))
      << "server = " << address_ << "\ntoken-file = ../../token\n";
  Subprocess::Result push =
      Cli({"modules", "push", WASMHPC_HELLO_WASM}, /*with_server=*/false);
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_EQ(push.err.find("warning"), std::string::npos) << push.err;
  Subprocess::Result owner = Cli({"modules", "ls", "-o", "wide"}, false);
  ASSERT_EQ(owner.exit_code, 0) << owner.err;
  EXPECT_THAT(owner.out, ::testing::ContainsRegex("hello.wasm .* alice "));
}

}  // namespace
}  // namespace wasmhpc::cli
