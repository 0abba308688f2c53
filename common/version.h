// The version of every wasmhpc binary (CMake's project version).
#ifndef WASMHPC_COMMON_VERSION_H_
#define WASMHPC_COMMON_VERSION_H_

namespace wasmhpc {

// "0.1.0": the `project(wasmhpc VERSION ...)` of the top CMakeLists.txt.
const char* Version();

}  // namespace wasmhpc

#endif  // WASMHPC_COMMON_VERSION_H_
