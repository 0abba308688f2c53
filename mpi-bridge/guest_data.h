// Guest data the bridge reads and writes beyond Call's typed accessors:
// C strings, and blocks of guest memory from the module's own allocator.
#ifndef WASMHPC_MPI_BRIDGE_GUEST_DATA_H_
#define WASMHPC_MPI_BRIDGE_GUEST_DATA_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

// The NUL-terminated string at guest address `p`, read up to `limit`
// characters: a longer string comes back as its first limit + 1
// characters, so callers can tell "too long" from "fits". Returns nullopt
// (MPI_ERR_BUFFER recorded on `c`) if memory ends before the string does.
std::optional<std::string> ReadCString(Call& c, abi::Ptr p, size_t limit,
                                       const char* what);

// Writes `text`, cut to capacity - 1 characters, and a NUL into the guest
// char[capacity] at `p`; writes the length written to *len unless `len` is
// 0. Returns MPI_SUCCESS or the recorded error.
int32_t WriteCString(Call& c, abi::Ptr p, int32_t capacity,
                     absl::string_view text, abi::Ptr len, const char* what);

// Guest memory from the module's own malloc and free, which the SDK hands
// over in the exported data symbol `kGuestAllocator` (sdk/lib/guest_alloc.c:
// their two 32-bit function table indices, malloc then free). They are
// called through the function table, never as exports, so no static
// constructor or destructor runs (see engine::HostContext::ExportedGlobal).
inline constexpr char kGuestAllocator[] = "wasmhpc_allocator";

// `bytes` of guest memory from the module's malloc. Errors: NotFound if
// the module exports no kGuestAllocator, FailedPrecondition if it is not
// usable (both messages say to rebuild the module with the current SDK),
// ResourceExhausted if malloc returned NULL, Aborted if it trapped.
absl::StatusOr<abi::Ptr> GuestMalloc(engine::HostContext& host, uint32_t bytes);
// Returns memory from GuestMalloc to the module's free; errors as
// GuestMalloc's.
absl::Status GuestFree(engine::HostContext& host, abi::Ptr p);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_GUEST_DATA_H_
