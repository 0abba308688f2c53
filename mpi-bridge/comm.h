// Communicator handles, for the families that make communicators
// (comm.cc, topo.cc).
#ifndef WASMHPC_MPI_BRIDGE_COMM_H_
#define WASMHPC_MPI_BRIDGE_COMM_H_

#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

// Stores a new host communicator under a guest handle written to *out
// (MPI_COMM_NULL becomes the guest's MPI_COMM_NULL), with the guest error
// handler `errhandler` (the parent's); the host side gets
// MPI_ERRORS_RETURN. Returns MPI_ERR_NO_MEM when the table is full.
int32_t InsertComm(Call& c, MPI_Comm host, abi::Handle errhandler,
                   abi::Handle* out);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_COMM_H_
