// The wasi_snapshot_preview1 import table: binds each Preview1 method to a
// HostFunc whose Wasm signature is derived from the method's parameters
// (u32 -> i32, u64 -> i64; an Errno result -> i32). Internal to wasi.
#ifndef WASMHPC_WASI_IMPORTS_H_
#define WASMHPC_WASI_IMPORTS_H_

#include <vector>

#include "engine/host_func.h"
#include "wasi/preview1.h"

namespace wasmhpc::wasi {

inline constexpr char kPreview1Module[] = "wasi_snapshot_preview1";

// The 46 preview1 functions over `calls`, which must outlive them.
std::vector<engine::HostFunc> Preview1Imports(Preview1& calls);

}  // namespace wasmhpc::wasi

#endif  // WASMHPC_WASI_IMPORTS_H_
