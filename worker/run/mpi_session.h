// MpiSession: the host MPI side of one wasmhpc-run process whose module
// imports env.MPI_*: host MPI init, the bridge's imports, and the end of
// the run (finalize, or abort the whole job on a trap or MPI_Abort).
#ifndef WASMHPC_WORKER_RUN_MPI_SESSION_H_
#define WASMHPC_WORKER_RUN_MPI_SESSION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/host_func.h"
#include "engine/module_info.h"
#include "wasi/wasi.h"

namespace wasmhpc::run {

class MpiSession {
 public:
  // True if the module imports any env.MPI_* function.
  static bool Needed(const engine::ModuleInfo& info);

  // Checks every MPI import is provided (else Unimplemented listing the
  // missing ones), then initializes the host MPI. MPI-IO may reach the
  // directories in `dirs` (the guest's WASI preopens) only.
  static absl::StatusOr<std::unique_ptr<MpiSession>> Start(
      const engine::ModuleInfo& info, const std::vector<wasi::Preopen>& dirs);
  ~MpiSession();

  // The env.MPI_* host functions, bound to this session's bridge.
  std::vector<engine::HostFunc> Imports();

  // This process's rank in the host world.
  int rank() const;

  // True on the one rank per node (MPI_COMM_TYPE_SHARED) that loads the
  // compiled code for its node.
  bool node_leader() const;

  // Collective over the node: the node leader's `code` reaches every rank
  // of the node (peers' `code` is replaced).
  void ShareWithNode(std::vector<uint8_t>* code);

  // Ends the run. After a trap or MPI_Abort, or when the guest called
  // MPI_Init but not MPI_Finalize in a job of several ranks, aborts every
  // rank of the job with `exit_code` (1 for 0; never returns); else
  // finalizes the host MPI.
  // Returns the exit code to use.
  int Finish(bool trapped, int exit_code);

  struct Impl;

 private:
  explicit MpiSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wasmhpc::run

#endif  // WASMHPC_WORKER_RUN_MPI_SESSION_H_
