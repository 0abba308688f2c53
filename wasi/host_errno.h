// Translation of host (Linux) errno values into WASI errno values.
#ifndef WASMHPC_WASI_HOST_ERRNO_H_
#define WASMHPC_WASI_HOST_ERRNO_H_

#include "wasi/wasi_abi.h"

namespace wasmhpc::wasi {

// Returns the WASI errno for a host errno value. 0 maps to kSuccess; a value
// without a WASI counterpart maps to kIo. Thread-safe.
Errno FromHostErrno(int host_errno);

// FromHostErrno(errno): for use right after a failed system call.
Errno LastHostErrno();

}  // namespace wasmhpc::wasi

#endif  // WASMHPC_WASI_HOST_ERRNO_H_
