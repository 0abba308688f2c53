// Subprocess: a child process with stdout and stderr on pipes and stdin on
// /dev/null, for wasmhpc-cli's end-to-end tests (the CLI under test, the
// real head).
//
// Thread safety: one thread uses a Subprocess at a time.
#ifndef WASMHPC_CLIENT_CLI_SUBPROCESS_H_
#define WASMHPC_CLIENT_CLI_SUBPROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace wasmhpc::cli::testing {

class Subprocess {
 public:
  struct Result {
    // The exit status; 128 + N when killed by signal N.
    int exit_code = -1;
    std::string out;
    std::string err;
    // Wait's timeout passed: the child was killed with SIGKILL.
    bool timed_out = false;
  };

  // Starts argv[0] (a path) with this process's environment minus the
  // WASMHPC_* variables and those `extra_env` sets, plus `extra_env`
  // ("KEY=VALUE" each).
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(
      const std::vector<std::string>& argv,
      const std::vector<std::string>& extra_env = {});

  // Kills (SIGKILL) and reaps a child still running.
  ~Subprocess();

  pid_t pid() const { return pid_; }
  void Signal(int signal);

  // The next line of stdout without its '\n'; nullopt at EOF or after
  // `timeout`.
  std::optional<std::string> ReadStdoutLine(absl::Duration timeout);
  // The same for stderr.
  std::optional<std::string> ReadStderrLine(absl::Duration timeout);

  // Reads stdout and stderr to their end and reaps the child; after
  // `timeout` kills it. `out` also holds what ReadStdoutLine had buffered.
  Result Wait(absl::Duration timeout);

 private:
  Subprocess(pid_t pid, int out_fd, int err_fd);
  // Reads what is available from the open pipes for up to `timeout`;
  // false when both are at EOF.
  bool Pump(absl::Duration timeout);
  // The next line of `buffer` (out_ or err_, filled from `fd` by Pump).
  std::optional<std::string> ReadLine(std::string& buffer, const int& fd,
                                      absl::Duration timeout);

  pid_t pid_;
  int out_fd_;
  int err_fd_;
  std::string out_;
  std::string err_;
  bool reaped_ = false;
  int exit_code_ = -1;
};

}  // namespace wasmhpc::cli::testing

#endif  // WASMHPC_CLIENT_CLI_SUBPROCESS_H_
