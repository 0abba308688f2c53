// Group handles, for the families that make groups (group.cc, comm.cc,
// file.cc, win_attr.cc).
#ifndef WASMHPC_MPI_BRIDGE_GROUP_H_
#define WASMHPC_MPI_BRIDGE_GROUP_H_

#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

// Stores a new host group under a guest handle written to *out: the host's
// MPI_GROUP_NULL / MPI_GROUP_EMPTY become the guest's predefined handles.
int32_t InsertGroup(Call& c, MPI_Group host, abi::Handle* out);
// Host MPI_IDENT / MPI_CONGRUENT / MPI_SIMILAR / MPI_UNEQUAL as ABI value.
int32_t GuestCompareResult(int host_result);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_GROUP_H_
