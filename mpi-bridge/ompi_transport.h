// OmpiTransport: MpiTransport calling the host's Open MPI directly.
// Thread safety: as Open MPI (initialized with MPI_THREAD_MULTIPLE or not).
#ifndef WASMHPC_MPI_BRIDGE_OMPI_TRANSPORT_H_
#define WASMHPC_MPI_BRIDGE_OMPI_TRANSPORT_H_

#include "mpi-bridge/transport.h"

namespace wasmhpc::mpi {

class OmpiTransport final : public MpiTransport {
 public:
#define WASMHPC_FORWARD(name, params, args) \
  int name params override { return MPI_##name args; }
  WASMHPC_MPI_TRANSPORT_FUNCTIONS(WASMHPC_FORWARD)
#undef WASMHPC_FORWARD
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_OMPI_TRANSPORT_H_
