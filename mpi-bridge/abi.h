// The guest's MPI ABI (MPI 5.0 standard ABI 1.0 on wasm32), as host
// constants. Its values are stated once, in sdk/abi/mpi_abi.txt, from which
// the build generates both the guest's <mpi.h> parts and abi_table.h here
// (sdk/abi/gen_mpi_abi.py). The ctest sdk.abi_table compiles a guest against
// <mpi.h> that prints every constant and checks each against the table;
// mpi_bridge.AbiTable.* checks the bridge's imports against its functions.
//
// Deliberately free of <mpi.h>: host Open MPI names must never mix with
// these. Everything here is a plain integer.
#ifndef WASMHPC_MPI_BRIDGE_ABI_H_
#define WASMHPC_MPI_BRIDGE_ABI_H_

#include <cstdint>

namespace wasmhpc::mpi::abi {

// A guest handle or pointer: 32 bits on wasm32.
using Handle = uint32_t;
using Ptr = uint32_t;

// Handles below this value are predefined; user handles start at kUserBase.
inline constexpr Handle kPredefinedLimit = 0x1000;
inline constexpr Handle kUserBase = 16385;

}  // namespace wasmhpc::mpi::abi

// Every constant of the table (abi::kCommWorld for MPI_COMM_WORLD, ...),
// the predefined handle ranges by kind (abi::kFirstComm..kLastComm), the
// datatype names, the function table and the fast-call list.
#include "mpi-bridge/abi_table.h"  // IWYU pragma: export

namespace wasmhpc::mpi::abi {

// The last error class.
inline constexpr int32_t kErrLastClass = kErrAbi;

// MPI_Status: {MPI_SOURCE, MPI_TAG, MPI_ERROR, MPI_internal[5]}. wasmhpc
// keeps the received byte count in internal[0..1] (int64, little-endian)
// and the cancelled flag in internal[2].
struct Status {
  int32_t source;
  int32_t tag;
  int32_t error;
  uint32_t count_lo;
  uint32_t count_hi;
  int32_t cancelled;
  int32_t reserved[2];
};
static_assert(sizeof(Status) == 32);

}  // namespace wasmhpc::mpi::abi

#endif  // WASMHPC_MPI_BRIDGE_ABI_H_
