#!/usr/bin/env bash
# Checks of the guest SDK (sdk/): compiler wrappers, <mpi.h>, toolchain file.
# Usage: sdk_test.sh CHECK WORK_DIR
# CHECK is one of the functions below; WORK_DIR is emptied and used for all
# outputs (never the source tree). PYTHON, CMAKE and MAKE name the tools.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sdk="$(cd "$here/../../sdk" && pwd)"
cc="$sdk/bin/wasmhpc-cc"
cxx="$sdk/bin/wasmhpc-c++"
data="$here/data"
python="${PYTHON:-python3}"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the source tree

fail() { echo "FAIL: $*" >&2; exit 1; }
# Prints "import ...", "export ..." and "elem ..." lines of a module.
sections() { "$python" "$here/wasm_sections.py" "$1"; }
expect_line() {  # expect_line FILE LINE: FILE (sections output) has LINE
  grep -qxF -- "$2" "$1" || { cat "$1" >&2; fail "missing '$2'"; }
}

# (a) A program calling MPI_Send links, importing env.MPI_Send.
mpi_import() {
  "$cc" "$data/mpi_send.c" -o mpi_send.wasm
  sections mpi_send.wasm > sections.txt
  expect_line sections.txt "import env.MPI_Send func"
  expect_line sections.txt "import env.MPI_Init func"
}

# (b) An undefined non-MPI symbol is a link error.
undefined_symbol() {
  if "$cc" "$data/undefined_symbol.c" -o undefined.wasm 2> link.log; then
    fail "linking an undefined function succeeded"
  fi
  grep -q "undefined symbol: wasmhpc_test_undefined_function" link.log ||
    { cat link.log >&2; fail "unexpected link error"; }
}

# (c) malloc, free and the function table are exported, even unused.
exports() {
  "$cc" "$data/no_malloc.c" -o no_malloc.wasm
  sections no_malloc.wasm > sections.txt
  expect_line sections.txt "export malloc func"
  expect_line sections.txt "export free func"
  expect_line sections.txt "export __indirect_function_table table"
  expect_line sections.txt "export memory memory"
}

# No user function gets table index 0 or 1 (MPI_*_NULL_*_FN / *_DUP_FN).
table_base() {
  "$cc" -O0 "$data/callbacks.c" -o callbacks.wasm
  sections callbacks.wasm > sections.txt
  expect_line sections.txt "elem 1 wasmhpc_table_pad"
  grep -q "^elem [0-9]* MaxAbs$" sections.txt || fail "MaxAbs not in table"
  if grep -E "^elem [01] " sections.txt | grep -v wasmhpc_table_pad; then
    fail "a user function sits at table index 0 or 1"
  fi
}

# (d) A plain Makefile project builds with CC=wasmhpc-cc (-c, then link).
plain_make() {
  "${MAKE:-make}" -C "$here/plain_make" CC="$cc" OUT="$PWD/out"
  sections out/app.wasm > sections.txt
  expect_line sections.txt "import env.MPI_Allreduce func"
}

# (e) The toolchain file builds a CMake project (C and C++) to .wasm.
cmake_toolchain() {
  "${CMAKE:-cmake}" -S "$here/cmake_project" -B build \
    -DCMAKE_TOOLCHAIN_FILE="$sdk/cmake/wasm32-wasi-mpi.cmake"
  "${CMAKE:-cmake}" --build build
  for module in hello hello_cxx; do
    [[ -f "build/$module.wasm" ]] || fail "build/$module.wasm not built"
    sections "build/$module.wasm" > sections.txt
    expect_line sections.txt "import env.MPI_Comm_rank func"
  done
}

# (f) <mpi.h> compiles warning-free as C and C++.
header() {
  local strict=(-Wall -Wextra -Werror -pedantic -fsyntax-only)
  for std in c99 c11 c17; do
    "$cc" -std=$std "${strict[@]}" "$data/header.c"
  done
  for std in c++11 c++17 c++20; do
    "$cxx" -std=$std "${strict[@]}" "$data/header.cc"
  done
}

# (f) Key standard-ABI values, as compile-time assertions.
abi_values() {
  "$cc" -std=c11 -Wall -Wextra -Werror -fsyntax-only "$data/abi_values.c"
}

# Every declared MPI function is the import env.<its name>.
all_imports() {
  "$python" "$here/check_all_imports.py" "$sdk" "$PWD"
}

# <wasmhpc/compat.h> stand-ins compile and link, in C and C++.
compat() {
  "$cc" -Wall -Wextra -Werror "$data/compat.c" -o compat.wasm
  "$cxx" -Wall -Wextra -Werror "$data/compat.cc" -o compat_cxx.wasm
}

# The wrapper's modes: -E, -S, -c and link; a link names a.out by default.
modes() {
  "$cc" -E "$data/mpi_send.c" -o send.i
  grep -q "MPI_Send" send.i || fail "-E output lacks MPI_Send"
  "$cc" -S "$data/mpi_send.c" -o send.s
  "$cc" -c "$data/mpi_send.c" -o send.o
  "$cc" send.o
  [[ -f a.out ]] || fail "default output a.out missing"
  sections a.out > sections.txt
  expect_line sections.txt "import env.MPI_Send func"
}

check="${1:?usage: sdk_test.sh CHECK WORK_DIR}"
work="${2:?usage: sdk_test.sh CHECK WORK_DIR}"
declare -F "$check" > /dev/null || fail "no check named '$check'"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$check"
echo "PASS: $check"
