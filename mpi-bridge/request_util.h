// Shared by the families that create and complete requests.
#ifndef WASMHPC_MPI_BRIDGE_REQUEST_UTIL_H_
#define WASMHPC_MPI_BRIDGE_REQUEST_UTIL_H_

#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

// Stores a new host request under a guest handle written to *out; `out`
// must have been checked with Ref() before the host call. Returns
// MPI_ERR_NO_MEM when the table is full.
int32_t NewRequest(Call& c, MPI_Request host, bool persistent,
                   abi::Handle* out);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_REQUEST_UTIL_H_
