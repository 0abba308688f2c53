# CMake platform description of WASI (wasm32-wasi), used through the
# wasmhpc toolchain file. CMake 3.25 ships none.
set(WASI 1)
set(UNIX 1)

set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_STATIC_LIBRARY_PREFIX "lib")
set(CMAKE_STATIC_LIBRARY_SUFFIX ".a")
# No shared libraries or dynamic loading in wasm32-wasi.
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
set(CMAKE_SHARED_LIBRARY_PREFIX "lib")
set(CMAKE_SHARED_LIBRARY_SUFFIX ".so")
set(CMAKE_SHARED_LIBRARY_LINK_C_FLAGS "")
set(CMAKE_SHARED_LIBRARY_LINK_CXX_FLAGS "")
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")

# Where find_* looks: the SDK's headers and Debian's wasi-libc (these are
# also roots in the toolchain file, so they are not re-rooted).
list(APPEND CMAKE_SYSTEM_INCLUDE_PATH "${WASMHPC_SDK_DIR}/include"
     /usr/include/wasm32-wasi)
list(APPEND CMAKE_SYSTEM_LIBRARY_PATH /usr/lib/wasm32-wasi)
