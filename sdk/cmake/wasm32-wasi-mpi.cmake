# CMake toolchain file: build C/C++ MPI programs as wasm32-wasi modules for
# wasmhpc with the SDK's compiler wrappers.
#
#   cmake -S app -B build \
#     -DCMAKE_TOOLCHAIN_FILE=<wasmhpc>/sdk/cmake/wasm32-wasi-mpi.cmake
#
# Executables get the suffix .wasm. <mpi.h> is on the wrappers' include path
# and MPI calls are Wasm imports, so no MPI library is linked: plain
# `#include <mpi.h>` works, and find_package(MPI) finds the wrappers as
# MPI-capable compilers (MPI::MPI_C / MPI::MPI_CXX are then empty targets).

set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)

get_filename_component(WASMHPC_SDK_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(CMAKE_C_COMPILER "${WASMHPC_SDK_DIR}/bin/wasmhpc-cc")
set(CMAKE_CXX_COMPILER "${WASMHPC_SDK_DIR}/bin/wasmhpc-c++")

# Platform/WASI.cmake beside this file describes the target system.
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")

# Search libraries, headers and packages for the target only: the SDK and
# Debian's wasi-libc (whose folders Platform/WASI.cmake lists); run build
# tools from the host.
set(CMAKE_FIND_ROOT_PATH "${WASMHPC_SDK_DIR}" /usr/lib/wasm32-wasi
    /usr/include/wasm32-wasi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
