// PoolProcess: `mpirun -np N wasmhpc-worker --head 127.0.0.1:PORT` as a
// child process of a test, in its own process group, with its output in a
// temporary file. The destructor ends mpirun (SIGTERM, then SIGKILL after
// 10 s) and SIGKILLs any rank that outlived it (mpirun puts each rank in a
// process group of its own).
#ifndef WASMHPC_TESTS_POOL_POOL_PROCESS_H_
#define WASMHPC_TESTS_POOL_POOL_PROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace wasmhpc::testing {

class PoolProcess {
 public:
  // Starts the pool. `worker` is the wasmhpc-worker binary.
  PoolProcess(const std::string& worker, int ranks, int head_port,
              const std::vector<std::string>& extra_args = {});
  ~PoolProcess();

  pid_t pid() const { return pid_; }

  // The pid of pool rank `rank` (a child of mpirun), if found.
  std::optional<pid_t> RankPid(int rank) const;
  // Every rank's pid (mpirun's children).
  std::vector<pid_t> RankPids() const;

  // Waits up to `timeout` for mpirun to exit; its wait status if it did.
  std::optional<int> AwaitExit(absl::Duration timeout);

  // What mpirun and the ranks printed so far.
  std::string Output() const;
  // True once Output() holds `text`, waiting up to `timeout`.
  bool AwaitOutput(const std::string& text, absl::Duration timeout) const;

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  std::string output_path_;
};

}  // namespace wasmhpc::testing

#endif  // WASMHPC_TESTS_POOL_POOL_PROCESS_H_
