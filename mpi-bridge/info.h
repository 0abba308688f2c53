// Info objects: the bridge keeps their contents (InfoEntry::entries) and a
// host MPI_Info in step with them (InfoEntry::host) for host calls that
// take hints.
//
// Keys and values follow the guest's limits (MPI_MAX_INFO_KEY 256 and
// MPI_MAX_INFO_VAL 1024 with the NUL), not the host's (Open MPI 4.1:
// 36 and 256); the host copy leaves out what the host cannot hold, which
// is harmless for hints.
#ifndef WASMHPC_MPI_BRIDGE_INFO_H_
#define WASMHPC_MPI_BRIDGE_INFO_H_

#include <cstdint>

#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

// The entry of info handle `h` (MPI_INFO_ENV is built from the host's on
// first use), or nullptr with MPI_ERR_INFO recorded on `c`.
InfoEntry* FindInfo(Call& c, abi::Handle h);

// The host info to pass for guest info `h` (MPI_INFO_NULL for
// MPI_INFO_NULL); owned by the bridge. Returns false with MPI_ERR_INFO
// recorded if `h` is not a valid info.
bool HostInfoOf(Call& c, abi::Handle h, MPI_Info* out);

// Copies host info `host` into a new guest info object and writes its
// handle to guest address `out`. Does not free `host`.
int32_t InsertInfoFromHost(Call& c, MPI_Info host, abi::Ptr out);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_INFO_H_
