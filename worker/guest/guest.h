// Guest: one rank's instance of a module, assembled the same way wherever
// it runs (wasmhpc-run, a pool executor): WASI with the guest's preopens,
// MPI-IO confined to the same directories, the MPI bridge on the given
// host transport and communicator, the check that every env.MPI_* import
// is provided, and the memory limit.
#ifndef WASMHPC_WORKER_GUEST_GUEST_H_
#define WASMHPC_WORKER_GUEST_GUEST_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/engine.h"
#include "engine/module_info.h"
#include "mpi-bridge/bridge.h"
#include "wasi/wasi.h"

namespace wasmhpc::guest {

// True if the module imports any env.MPI_* function.
bool ImportsMpi(const engine::ModuleInfo& info);

// OK when the bridge provides every env.MPI_* function the module imports;
// else InvalidArgument naming every missing one (mpi::CheckFunctionsProvided:
// the words the head uses at upload and submit).
absl::Status CheckMpiImports(const engine::ModuleInfo& info);

// The host MPI under a guest and its limits.
struct InstantiateOptions {
  // The host MPI; not owned. Null: no bridge, and a module importing
  // env.MPI_* cannot be instantiated.
  mpi::MpiTransport* transport = nullptr;
  // The host communicator the guest sees as MPI_COMM_WORLD.
  MPI_Comm world = MPI_COMM_WORLD;
  // Initial memory and tables past it fail to instantiate, memory.grow past
  // it fails. 0: the engine's limit.
  uint64_t max_memory_bytes = 0;
};

class Guest {
 public:
  // Creates WASI and the MPI-IO gate over the same preopens (MPI-IO reaches
  // only what WASI reaches). Fails on options WASI refuses (e.g. a preopen
  // that is not a directory): callers can check them before starting MPI.
  static absl::StatusOr<std::unique_ptr<Guest>> Create(
      wasi::WasiOptions options);
  ~Guest();  // The instance first, then what its imports use.

  // Checks the module's MPI imports (CheckMpiImports), creates the bridge
  // and the instance. `store` and `module` must outlive the guest. Once.
  absl::Status Instantiate(engine::Store& store, const engine::Module& module,
                           const InstantiateOptions& options);

  // Runs the module's _start (see engine::Instance::RunStart). After a
  // successful Instantiate.
  absl::StatusOr<engine::RunResult> RunStart();

  // What the guest did with MPI (its state, MPI_Abort); null before
  // Instantiate and without a transport.
  const mpi::Bridge* bridge() const { return bridge_.get(); }
  mpi::Bridge* bridge() { return bridge_.get(); }

 private:
  Guest() = default;

  std::unique_ptr<wasi::Wasi> wasi_;
  std::unique_ptr<mpi::FileSystemGate> files_;
  std::unique_ptr<mpi::Bridge> bridge_;
  std::unique_ptr<engine::Instance> instance_;
};

}  // namespace wasmhpc::guest

#endif  // WASMHPC_WORKER_GUEST_GUEST_H_
