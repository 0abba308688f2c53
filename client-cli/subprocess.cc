#include "client-cli/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace wasmhpc::cli::testing {
namespace {

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(
    const std::vector<std::string>& argv,
    const std::vector<std::string>& extra_env) {
  // Everything exec needs is built before fork: the parent has threads.
  std::vector<std::string> env;
  auto overridden = [&extra_env](absl::string_view var) {
    absl::string_view key = var.substr(0, var.find('=') + 1);  // "KEY="
    return std::any_of(
        extra_env.begin(), extra_env.end(),
        [key](const std::string& e) { return absl::StartsWith(e, key); });
  };
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "WASMHPC_") && !overridden(*e)) {
      env.emplace_back(*e);
    }
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> argv_c, env_c;
  for (const std::string& a : argv)
    argv_c.push_back(const_cast<char*>(a.c_str()));
  for (const std::string& e : env)
    env_c.push_back(const_cast<char*>(e.c_str()));
  argv_c.push_back(nullptr);
  env_c.push_back(nullptr);

  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  pid_t pid = fork();
  if (pid < 0) {
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    // The child gets the default signal mask (the test may block SIGINT).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    execve(argv_c[0], argv_c.data(), env_c.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  return std::unique_ptr<Subprocess>(new Subprocess(pid, out[0], err[0]));
}

Subprocess::Subprocess(pid_t pid, int out_fd, int err_fd)
    : pid_(pid), out_fd_(out_fd), err_fd_(err_fd) {}

Subprocess::~Subprocess() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

void Subprocess::Signal(int signal) {
  if (!reaped_) kill(pid_, signal);
}

bool Subprocess::Pump(absl::Duration timeout) {
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  if (out_fd_ < 0 && err_fd_ < 0) return false;
  int ready =
      poll(fds, 2, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (ready <= 0) return true;
  int* fd_of[2] = {&out_fd_, &err_fd_};
  std::string* buffer_of[2] = {&out_, &err_};
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd < 0 || fds[i].revents == 0) continue;
    char buffer[4096];
    ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
    if (n > 0) {
      buffer_of[i]->append(buffer, n);
    } else if (n == 0 || errno != EINTR) {
      close(*fd_of[i]);
      *fd_of[i] = -1;
    }
  }
  return out_fd_ >= 0 || err_fd_ >= 0;
}

std::optional<std::string> Subprocess::ReadStdoutLine(absl::Duration timeout) {
  return ReadLine(out_, out_fd_, timeout);
}

std::optional<std::string> Subprocess::ReadStderrLine(absl::Duration timeout) {
  return ReadLine(err_, err_fd_, timeout);
}

std::optional<std::string> Subprocess::ReadLine(std::string& buffer,
                                                const int& fd,
                                                absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    size_t newline = buffer.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      return line;
    }
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration() || fd < 0) return std::nullopt;
    Pump(std::min(left, absl::Milliseconds(100)));
  }
}

Subprocess::Result Subprocess::Wait(absl::Duration timeout) {
  Result result;
  const absl::Time deadline = absl::Now() + timeout;
  while (Pump(absl::Milliseconds(100))) {
    if (absl::Now() > deadline) {
      result.timed_out = true;
      kill(pid_, SIGKILL);
      break;
    }
  }
  if (!reaped_) {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    exit_code_ = DecodeStatus(status);
  }
  result.exit_code = exit_code_;
  result.out = out_;
  result.err = err_;
  return result;
}

}  // namespace wasmhpc::cli::testing
