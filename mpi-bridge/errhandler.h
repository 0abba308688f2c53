// Error handlers and user error codes: MPI_Comm_create_errhandler & co.,
// MPI_Errhandler_free, MPI_Add_error_class / _code / _string.
//
// A user error handler is a guest function, called through the module's
// function table as void fn(MPI_Comm* comm, int* error_code, ...). clang
// lowers that variadic signature for wasm32 to (i32, i32, i32) -> (): the
// third argument points to the variadic arguments (none: 0 is passed). A
// handler declared without "..." is (i32, i32) -> () and is called as such.
// The handle and code live in guest memory from the module's malloc for
// the length of the call.
#ifndef WASMHPC_MPI_BRIDGE_ERRHANDLER_H_
#define WASMHPC_MPI_BRIDGE_ERRHANDLER_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

// Calls user error handler `errhandler` for communicator `comm` with
// error code `code`. Errors: the handler is gone (FailedPrecondition), no
// guest memory for its arguments (GuestMalloc's errors), the table index
// holds no handler (InvalidArgument), or the guest trapped (Aborted).
absl::Status CallCommErrhandler(Call& c, abi::Handle comm,
                                abi::Handle errhandler, int32_t code);

// Erases user error handler `errhandler` once the guest holds no handle to
// it and no communicator uses it. Call after a communicator lets go of it.
// (Windows and files, when they hold handlers, must be counted here too.)
void DropErrhandlerIfUnused(Bridge& bridge, abi::Handle errhandler);

// The error handler functions; called by AddCommunicators.
void AddErrorHandlers(Bridge& bridge, std::vector<engine::HostFunc>& out);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_ERRHANDLER_H_
