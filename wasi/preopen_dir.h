// Opening a preopen's host directory: the one place that turns
// Preopen::host_path into a directory fd, for WASI and for MPI-IO.
#ifndef WASMHPC_WASI_PREOPEN_DIR_H_
#define WASMHPC_WASI_PREOPEN_DIR_H_

#include "absl/status/statusor.h"
#include "wasi/sandbox_path.h"
#include "wasi/wasi.h"

namespace wasmhpc::wasi {

// Opens preopen.host_path as a directory with open(2) `flags` (O_RDONLY or
// O_PATH; O_DIRECTORY and O_CLOEXEC are added). A plain open unless
// preopen.strict; then the path must be absolute, free of "." and "..", have
// no symbolic link anywhere, and lie below one of preopen.roots if any
// (opened beneath it with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS). Errors
// name the path: NotFound, PermissionDenied (outside the roots, a symbolic
// link, EACCES), or the errno's status.
absl::StatusOr<UniqueFd> OpenPreopenDir(const Preopen& preopen, int flags);

}  // namespace wasmhpc::wasi

#endif  // WASMHPC_WASI_PREOPEN_DIR_H_
