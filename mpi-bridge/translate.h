// Host <-> guest ABI translation of ranks, tags, error classes and
// statuses (translate.cc). Pure functions of their arguments.
#ifndef WASMHPC_MPI_BRIDGE_TRANSLATE_H_
#define WASMHPC_MPI_BRIDGE_TRANSLATE_H_

#include <mpi.h>

#include <cstdint>

#include "mpi-bridge/abi.h"

namespace wasmhpc::mpi {

int32_t HostRank(int32_t guest_rank);
int32_t GuestRank(int32_t host_rank);
int32_t HostTag(int32_t guest_tag);
int32_t GuestTag(int32_t host_tag);
int32_t GuestErrorClass(int host_class);
int HostErrorClass(int32_t guest_class);
// Fills guest status `guest` from host status `host` the way the MPI
// standard says statuses are filled ("Status" section): source, tag, count
// and cancelled always; MPI_ERROR only with `set_error`, which is for the
// multiple-completion calls (MPI_Waitall/any/some, MPI_Testall/any/some)
// when they return MPI_ERR_IN_STATUS. Every other call leaves the guest's
// MPI_ERROR as it was.
void ToGuestStatus(const MPI_Status& host, bool set_error, abi::Status* guest);
void ToHostStatus(const abi::Status& guest, MPI_Status* host);
// The status argument of a host call for guest status `guest`: the host's
// MPI_STATUS_IGNORE for the guest's (the host then fills nothing), else
// `scratch`, for Call::WriteStatus.
inline MPI_Status* HostStatus(abi::Ptr guest, MPI_Status* scratch) {
  return guest == abi::kStatusIgnore ? MPI_STATUS_IGNORE : scratch;
}

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_TRANSLATE_H_
