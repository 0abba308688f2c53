# wasmhpc_add_module(OUTPUT <file.wasm> SOURCES <src>... [FLAGS <flag>...])
#
# Adds a custom command that compiles and links C/C++ sources into a Wasm
# module with the SDK's wasmhpc-cc (wasmhpc-c++ when a source is C++), for
# projects whose own compiler is the native one. The caller groups the
# OUTPUT files into a custom target. The command re-runs when a source, an
# SDK header, the wrapper or one of its sdk/lib files changes.
#
# WASMHPC_CC (cache or normal variable) overrides the C wrapper's path;
# WASMHPC_SDK_DEPENDS names targets every module waits for (wasmhpc's own
# build: the target that regenerates the SDK's <mpi.h> parts).

get_filename_component(_wasmhpc_sdk_dir "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

function(wasmhpc_add_module)
  cmake_parse_arguments(ARG "" "OUTPUT" "SOURCES;FLAGS" ${ARGN})
  if(NOT ARG_OUTPUT OR NOT ARG_SOURCES)
    message(FATAL_ERROR "wasmhpc_add_module: OUTPUT and SOURCES are required")
  endif()

  set(cc "${_wasmhpc_sdk_dir}/bin/wasmhpc-cc")
  if(WASMHPC_CC)
    set(cc "${WASMHPC_CC}")
  endif()
  foreach(src IN LISTS ARG_SOURCES)
    if(src MATCHES "\\.(cc|cpp|cxx|C)$")
      get_filename_component(dir "${cc}" DIRECTORY)
      set(cc "${dir}/wasmhpc-c++")
    endif()
  endforeach()

  file(GLOB sdk_files CONFIGURE_DEPENDS
       "${_wasmhpc_sdk_dir}/include/*.h"
       "${_wasmhpc_sdk_dir}/include/wasmhpc/*.h"
       "${_wasmhpc_sdk_dir}/lib/*.c"
       "${_wasmhpc_sdk_dir}/lib/*.cc")
  set(sources "")
  foreach(src IN LISTS ARG_SOURCES)
    get_filename_component(abs "${src}" ABSOLUTE)
    list(APPEND sources "${abs}")
  endforeach()
  get_filename_component(out_dir "${ARG_OUTPUT}" DIRECTORY)
  get_filename_component(name "${ARG_OUTPUT}" NAME)

  add_custom_command(
    OUTPUT "${ARG_OUTPUT}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${out_dir}"
    COMMAND "${cc}" ${ARG_FLAGS} ${sources} -o "${ARG_OUTPUT}"
    DEPENDS ${sources} ${sdk_files} "${cc}" ${WASMHPC_SDK_DEPENDS}
    COMMENT "Building Wasm module ${name}"
    VERBATIM)
endfunction()
