// wasmhpc-cli on a terminal (a pseudo-terminal): the upload progress bar
// and the Ctrl-C question while submit follows a job.
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_head.h"

extern char** environ;

namespace wasmhpc::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::wasmhpc::testing::FakeHead;

// wasmhpc-cli with stdin, stdout and stderr on one pseudo-terminal.
class TerminalCli {
 public:
  explicit TerminalCli(const std::vector<std::string>& args) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      if (!absl::StartsWith(*e, "WASMHPC_") &&
          !absl::StartsWith(*e, "XDG_CONFIG_HOME=")) {
        env.emplace_back(*e);
      }
    }
    env.emplace_back("XDG_CONFIG_HOME=/nonexistent");  // no settings file
    std::vector<char*> argv_c = {const_cast<char*>(WASMHPC_CLI)};
    for (const std::string& a : args)
      argv_c.push_back(const_cast<char*>(a.c_str()));
    argv_c.push_back(nullptr);
    std::vector<char*> env_c;
    for (const std::string& e : env)
      env_c.push_back(const_cast<char*>(e.c_str()));
    env_c.push_back(nullptr);
    pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      execve(argv_c[0], argv_c.data(), env_c.data());
      _exit(127);
    }
  }

  ~TerminalCli() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }

  bool started() const { return pid_ > 0; }
  void Interrupt() { kill(pid_, SIGINT); }
  void Type(const std::string& text) {
    ASSERT_EQ(write(master_, text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
  }

  // Reads until `text` occurs `count` times in the output; false after
  // `timeout` or at the end of the output.
  bool WaitFor(const std::string& text, int count = 1,
               absl::Duration timeout = absl::Seconds(20)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (Count(text) < count) {
      if (absl::Now() > deadline || !ReadSome(deadline)) return false;
    }
    return true;
  }

  // Reads to the end of the output and returns the exit code.
  int Wait(absl::Duration timeout = absl::Seconds(20)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline && ReadSome(deadline)) {
    }
    int status = 0;
    if (waitpid(pid_, &status, absl::Now() < deadline ? 0 : WNOHANG) != pid_) {
      return -1;
    }
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  const std::string& output() const { return output_; }

 private:
  int Count(const std::string& text) const {
    int n = 0;
    for (size_t at = output_.find(text); at != std::string::npos;
         at = output_.find(text, at + 1)) {
      ++n;
    }
    return n;
  }

  // False at the end of the output (EIO once the child has gone).
  bool ReadSome(absl::Time deadline) {
    pollfd fd = {master_, POLLIN, 0};
    int wait_ms = static_cast<int>(std::max<int64_t>(
        0, absl::ToInt64Milliseconds(deadline - absl::Now())));
    if (poll(&fd, 1, std::min(wait_ms, 100)) <= 0) return true;
    char buffer[4096];
    ssize_t n = read(master_, buffer, sizeof(buffer));
    if (n > 0) output_.append(buffer, n);
    return n > 0 || (n < 0 && errno == EINTR);
  }

  pid_t pid_ = -1;
  int master_ = -1;
  bool reaped_ = false;
  std::string output_;
};

class TerminalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(head_, nullptr);
    module_ = ::testing::TempDir() + "cli_terminal_" +
              std::to_string(getpid()) + ".wasm";
    std::ofstream(module_, std::ios::binary) << std::string("\0asm\1\0\0\0", 8);
  }
  void TearDown() override { unlink(module_.c_str()); }

  std::vector<std::string> SubmitHang() {
    return {
        "--server", head_->address(), "submit", module_, "--ranks", "1", "--",
        "hang"};
  }

  std::unique_ptr<FakeHead> head_ = FakeHead::Start();
  std::string module_;
};

TEST_F(TerminalTest, CtrlCAsksAndCancelsOnlyOnYes) {
  TerminalCli cli(SubmitHang());
  ASSERT_TRUE(cli.started());
  ASSERT_TRUE(head_->WaitForWatch("job-0001", absl::Seconds(20)));
  ASSERT_TRUE(cli.WaitFor("waiting")) << cli.output();
  EXPECT_THAT(cli.output(), HasSubstr("uploading cli_terminal_"));
  EXPECT_THAT(cli.output(), HasSubstr("100%"));
  EXPECT_THAT(cli.output(),
              HasSubstr("wasmhpc-cli: job job-0001 submitted (1 rank)"));

  const std::string question = "cancel job job-0001? [y/N]";
  cli.Interrupt();
  ASSERT_TRUE(cli.WaitFor(question)) << cli.output();
  cli.Type("n\n");
  ASSERT_TRUE(cli.WaitFor("still following job job-0001")) << cli.output();
  EXPECT_THAT(head_->cancelled(), IsEmpty());

  cli.Interrupt();
  ASSERT_TRUE(cli.WaitFor(question, 2)) << cli.output();
  cli.Type("y\n");
  EXPECT_EQ(cli.Wait(), 130) << cli.output();
  EXPECT_THAT(head_->cancelled(), ElementsAre("job-0001"));
  EXPECT_THAT(cli.output(), HasSubstr("job job-0001 was cancelled"));
}

TEST_F(TerminalTest, SecondCtrlCAtTheQuestionStopsFollowingWithoutCancel) {
  TerminalCli cli(SubmitHang());
  ASSERT_TRUE(cli.started());
  ASSERT_TRUE(head_->WaitForWatch("job-0001", absl::Seconds(20)));
  cli.Interrupt();
  ASSERT_TRUE(cli.WaitFor("[y/N]")) << cli.output();
  cli.Interrupt();
  EXPECT_EQ(cli.Wait(), 130) << cli.output();
  EXPECT_THAT(cli.output(),
              HasSubstr("stopped following job job-0001; it keeps running"));
  EXPECT_THAT(head_->cancelled(), IsEmpty());
}

}  // namespace
}  // namespace wasmhpc::cli
