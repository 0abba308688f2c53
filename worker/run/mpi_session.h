// MpiSession: the host MPI side of one wasmhpc-run process whose module
// imports env.MPI_*: host MPI init, the transport the guest's bridge uses
// (worker/guest), and the end of the run (finalize, or abort the whole job
// on a trap or MPI_Abort).
#ifndef WASMHPC_WORKER_RUN_MPI_SESSION_H_
#define WASMHPC_WORKER_RUN_MPI_SESSION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/module_info.h"
#include "mpi-bridge/bridge.h"

namespace wasmhpc::run {

class MpiSession {
 public:
  // Checks every MPI import is provided (else Unimplemented listing the
  // missing ones), then initializes the host MPI.
  static absl::StatusOr<std::unique_ptr<MpiSession>> Start(
      const engine::ModuleInfo& info);
  ~MpiSession();

  // The host MPI for the guest's bridge (over MPI_COMM_WORLD).
  mpi::MpiTransport* transport();

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
  // finalizes the host MPI. `bridge`: the guest's, null if it was not
  // instantiated. Returns the exit code to use.
  int Finish(const mpi::Bridge* bridge, bool trapped, int exit_code);

  struct Impl;

 private:
  explicit MpiSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wasmhpc::run

#endif  // WASMHPC_WORKER_RUN_MPI_SESSION_H_
