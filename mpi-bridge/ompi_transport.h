// OmpiTransport: MpiTransport calling the host's Open MPI directly, every
// function forwarded as is. The one forwarding transport: a transport that
// changes some calls (a pool executor's InterruptibleTransport) derives
// from it and overrides those.
// Thread safety: as Open MPI (initialized with MPI_THREAD_MULTIPLE or not).
#ifndef WASMHPC_MPI_BRIDGE_OMPI_TRANSPORT_H_
#define WASMHPC_MPI_BRIDGE_OMPI_TRANSPORT_H_

#include <cstdlib>

#include "mpi-bridge/transport.h"

namespace wasmhpc::mpi {

// Open MPI settings an embedder makes before MPI_Init_thread, each unless
// the user set the variable:
//  - OMPI_MCA_osc=rdma,ucx: with Open MPI 4.1.4's defaults, a window over
//    one process (MPI_COMM_SELF, a one-rank job) fails to be created,
//    natively too; osc/ucx makes it. Windows over several processes stay
//    osc/rdma's (the higher priority).
inline void SetHostMpiDefaults() {
  setenv("OMPI_MCA_osc", "rdma,ucx", /*overwrite=*/0);
}

class OmpiTransport : public MpiTransport {
 public:
#define WASMHPC_FORWARD(name, params, args) \
  int name params override { return MPI_##name args; }
  WASMHPC_MPI_TRANSPORT_FUNCTIONS(WASMHPC_FORWARD)
#undef WASMHPC_FORWARD
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_OMPI_TRANSPORT_H_
