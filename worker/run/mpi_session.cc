#include "worker/run/mpi_session.h"

#include <algorithm>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "mpi-bridge/ompi_transport.h"
#include "worker/guest/guest.h"

namespace wasmhpc::run {

struct MpiSession::Impl {
  mpi::OmpiTransport transport;
  int rank = 0;
  int size = 1;
  MPI_Comm node = MPI_COMM_NULL;
  int node_rank = 0;
};

MpiSession::MpiSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MpiSession::~MpiSession() = default;

absl::StatusOr<std::unique_ptr<MpiSession>> MpiSession::Start(
    const engine::ModuleInfo& info) {
  if (absl::Status s = guest::CheckMpiImports(info); !s.ok()) return s;
  // MPI_THREAD_SINGLE: only this thread, which runs the guest, calls MPI
  // (other threads read the code cache and compile). Above single, Open
  // MPI 4.1 takes locks in every call and progress step: a third of a
  // small message's latency. The guest gets the level it asks for.
  int provided_level = MPI_THREAD_SINGLE;
  mpi::SetHostMpiDefaults();
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SINGLE, &provided_level) !=
      MPI_SUCCESS) {
    return absl::InternalError("host MPI_Init_thread failed");
  }
  auto impl = std::make_unique<Impl>();
  MPI_Comm_rank(MPI_COMM_WORLD, &impl->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &impl->size);
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, impl->rank,
                      MPI_INFO_NULL, &impl->node);
  MPI_Comm_rank(impl->node, &impl->node_rank);
  return std::unique_ptr<MpiSession>(new MpiSession(std::move(impl)));
}

mpi::MpiTransport* MpiSession::transport() { return &impl_->transport; }

int MpiSession::rank() const { return impl_->rank; }

bool MpiSession::node_leader() const { return impl_->node_rank == 0; }

void MpiSession::ShareWithNode(std::vector<uint8_t>* code) {
  uint64_t size = code->size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, impl_->node);
  code->resize(size);
  constexpr uint64_t kChunk = uint64_t{1} << 30;
  for (uint64_t offset = 0; offset < size; offset += kChunk) {
    MPI_Bcast(code->data() + offset,
              static_cast<int>(std::min(kChunk, size - offset)), MPI_BYTE, 0,
              impl_->node);
  }
}

int MpiSession::Finish(const mpi::Bridge* bridge, bool trapped, int exit_code) {
  if (bridge != nullptr && bridge->aborted()) {
    std::cerr << "wasmhpc-run: rank " << impl_->rank
              << " called MPI_Abort with code " << bridge->abort_code()
              << std::endl;
    MPI_Abort(MPI_COMM_WORLD, bridge->abort_code());
  }
  if (trapped && impl_->size > 1) {
    std::cerr << std::flush;
    MPI_Abort(MPI_COMM_WORLD, exit_code);
  }
  // The host MPI_Finalize below waits for every rank: a guest that left
  // without its own MPI_Finalize, while peers may wait for it, would hang
  // the job (natively, mpirun aborts it). Abort it, naming the rank.
  if (bridge != nullptr &&
      bridge->state() == mpi::Bridge::State::kInitialized && impl_->size > 1) {
    std::cerr << "wasmhpc-run: rank " << impl_->rank << " exited (code "
              << exit_code << ") before MPI_Finalize; aborting the job"
              << std::endl;
    MPI_Abort(MPI_COMM_WORLD, exit_code != 0 ? exit_code : 1);
  }
  MPI_Comm_free(&impl_->node);
  MPI_Finalize();
  return exit_code;
}

}  // namespace wasmhpc::run
