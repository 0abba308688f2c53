// MpiTransport: the host MPI as an interface, so the bridge is unit-tested
// with a fake (fake_transport.h) and runs on Open MPI (ompi_transport.h).
//
// Each method is the MPI function of the same name, in the host's types
// (Open MPI's <mpi.h>). The lists in transport_*.inc (one per family) are
// the one place a host function is declared; add a row to use a new one.
// Thread safety: as the host MPI.
#ifndef WASMHPC_MPI_BRIDGE_TRANSPORT_H_
#define WASMHPC_MPI_BRIDGE_TRANSPORT_H_

#include <mpi.h>

#include <chrono>

namespace wasmhpc::mpi {

#include "mpi-bridge/transport_coll.inc"
#include "mpi-bridge/transport_comm.inc"
#include "mpi-bridge/transport_core.inc"
#include "mpi-bridge/transport_datatype.inc"
#include "mpi-bridge/transport_file.inc"
#include "mpi-bridge/transport_rma.inc"

// Every host function the bridge uses: X(name, (parameters), (arguments)).
#define WASMHPC_MPI_TRANSPORT_FUNCTIONS(X) \
  WASMHPC_MPI_CORE_FUNCTIONS(X)            \
  WASMHPC_MPI_COLL_FUNCTIONS(X)            \
  WASMHPC_MPI_COMM_FUNCTIONS(X)            \
  WASMHPC_MPI_DATATYPE_FUNCTIONS(X)        \
  WASMHPC_MPI_FILE_FUNCTIONS(X)            \
  WASMHPC_MPI_RMA_FUNCTIONS(X)

class MpiTransport {
 public:
  virtual ~MpiTransport() = default;

#define WASMHPC_DECLARE(name, params, args) virtual int name params = 0;
  WASMHPC_MPI_TRANSPORT_FUNCTIONS(WASMHPC_DECLARE)
#undef WASMHPC_DECLARE

  // True where a stop can end this transport's waits (a pool executor's):
  // the bridge then precedes host waits no stop can end (MPI_Win_fence)
  // with a barrier that it can.
  virtual bool stoppable() const { return false; }
};

// How long a cancelled (or stopped) request may take to complete before it
// is left to the host MPI.
inline constexpr std::chrono::milliseconds kCancelGrace{100};

// Tests `r` until it completes or `grace` has passed; whether it completed.
inline bool CompletesWithin(MpiTransport& mpi, MPI_Request* r,
                            std::chrono::milliseconds grace) {
  auto until = std::chrono::steady_clock::now() + grace;
  int done = 0;
  while (!done && std::chrono::steady_clock::now() < until) {
    if (mpi.Test(r, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) break;
  }
  return done;
}

// Every call fails with MPI_ERR_OTHER: a base for fakes, and a stand-in
// where functions are listed but never called.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"  // every call just fails
class NullTransport : public MpiTransport {
 public:
#define WASMHPC_FAIL(name, params, args) \
  int name params override { return MPI_ERR_OTHER; }
  WASMHPC_MPI_TRANSPORT_FUNCTIONS(WASMHPC_FAIL)
#undef WASMHPC_FAIL
};
#pragma GCC diagnostic pop

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_TRANSPORT_H_
