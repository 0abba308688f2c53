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
//  - OMPI_MCA_osc=sm,rdma,ucx: Open MPI 4.1.4's osc components as Debian
//    enables them (its openmpi-mca-params.conf says osc = ^ucx,pt2pt), plus
//    osc/ucx as the last resort. Windows over several processes keep the
//    default choice by priority (rdma 101 over sm 100 over ucx 60). A
//    window over one process (MPI_COMM_SELF, a one-rank job) from
//    MPI_Win_create or MPI_Win_create_dynamic is one neither default takes
//    (osc/sm makes only allocated and shared windows, osc/rdma needs an
//    RDMA transport with atomics to every member, and btl/self is none), so
//    it fails natively; osc/ucx makes it (its first window costs ~0.1 s of
//    UCX start-up). osc/pt2pt would too, in ~0.3 ms (it refuses windows
//    only under MPI_THREAD_MULTIPLE, which neither wasmhpc-run nor the
//    pools use); not switched yet.
inline void SetHostMpiDefaults() {
  setenv("OMPI_MCA_osc", "sm,rdma,ucx", /*overwrite=*/0);
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
