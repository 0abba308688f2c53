#include "tests/pool/pool_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace wasmhpc::testing {
namespace {

// The parent pid in /proc/PID/stat ("pid (comm) state ppid ...").
std::optional<pid_t> ParentOf(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 2));
  std::string state;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

// The value of `name` in /proc/PID/environ.
std::string EnvironOf(pid_t pid, const std::string& name) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/environ"));
  std::string all((std::istreambuf_iterator<char>(in)), {});
  for (absl::string_view entry : absl::StrSplit(all, '\0')) {
    if (absl::ConsumePrefix(&entry, absl::StrCat(name, "="))) {
      return std::string(entry);
    }
  }
  return "";
}

}  // namespace

PoolProcess::PoolProcess(const std::string& worker, int ranks, int head_port,
                         const std::vector<std::string>& extra_args) {
  char path[] = "/tmp/wasmhpc-pool-XXXXXX";
  int fd = mkstemp(path);
  output_path_ = path;
  std::vector<std::string> args = {"mpirun",
                                   "--oversubscribe",
                                   "--bind-to",
                                   "none",
                                   "-np",
                                   std::to_string(ranks),
                                   worker,
                                   "--head",
                                   absl::StrCat("127.0.0.1:", head_port)};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  setpgid(pid_, pid_);  // also here: no race with the kill below
  close(fd);
}

PoolProcess::~PoolProcess() {
  if (pid_ <= 0) return;
  std::vector<pid_t> ranks = exited_ ? std::vector<pid_t>{} : RankPids();
  if (!exited_) {
    kill(-pid_, SIGTERM);
    if (!AwaitExit(absl::Seconds(10))) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  for (pid_t rank : ranks) {
    // Still this pool's rank (not a reused pid): it has our launcher's env.
    if (!EnvironOf(rank, "OMPI_COMM_WORLD_RANK").empty()) kill(rank, SIGKILL);
  }
  unlink(output_path_.c_str());
}

std::vector<pid_t> PoolProcess::RankPids() const {
  std::vector<pid_t> pids;
  DIR* proc = opendir("/proc");
  if (!proc) return pids;
  while (dirent* entry = readdir(proc)) {
    pid_t pid = atoi(entry->d_name);
    if (pid > 0 && ParentOf(pid) == pid_) pids.push_back(pid);
  }
  closedir(proc);
  return pids;
}

std::optional<pid_t> PoolProcess::RankPid(int rank) const {
  for (pid_t pid : RankPids()) {
    if (EnvironOf(pid, "OMPI_COMM_WORLD_RANK") == std::to_string(rank)) {
      return pid;
    }
  }
  return std::nullopt;
}

std::optional<int> PoolProcess::AwaitExit(absl::Duration timeout) {
  absl::Time until = absl::Now() + timeout;
  do {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      return status;
    }
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < until);
  return std::nullopt;
}

std::string PoolProcess::Output() const {
  std::ifstream in(output_path_);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

bool PoolProcess::AwaitOutput(const std::string& text,
                              absl::Duration timeout) const {
  absl::Time until = absl::Now() + timeout;
  for (;;) {
    if (Output().find(text) != std::string::npos) return true;
    if (absl::Now() >= until) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

}  // namespace wasmhpc::testing
