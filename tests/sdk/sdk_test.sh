#!/usr/bin/env bash
# Checks of the guest SDK (sdk/): compiler wrappers, <mpi.h>, toolchain file.
# Usage: sdk_test.sh CHECK WORK_DIR
# CHECK is one of the functions below; WORK_DIR is emptied and used for all
# outputs (never the source tree). PYTHON, CMAKE and MAKE name the tools,
# RUN wasmhpc-run and BUILD_DIR the build folder (install_prefix).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sdk="$(cd "$here/../../sdk" && pwd)"
cc="$sdk/bin/wasmhpc-cc"
clang="${WASMHPC_CLANG:-clang-14}"
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

# (c) The function table and the allocator record (table indices of malloc
# and free, sdk/lib/guest_alloc.c) are exported, even unused; no function
# but _start is (wasm-ld wraps function exports in the static constructors).
exports() {
  "$cc" "$data/no_malloc.c" -o no_malloc.wasm
  sections no_malloc.wasm > sections.txt
  expect_line sections.txt "export wasmhpc_allocator global"
  expect_line sections.txt "export __indirect_function_table table"
  expect_line sections.txt "export memory memory"
  expect_line sections.txt "export _start func"
  if grep "^export .* func$" sections.txt | grep -v "^export _start func$"; then
    fail "a function other than _start is exported"
  fi
  grep -q "^elem [0-9]* malloc$" sections.txt || fail "malloc not in table"
  grep -q "^elem [0-9]* free$" sections.txt || fail "free not in table"
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

# A Debian tool a check needs, or skip (77) saying how to get it.
need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 && continue
    echo "SKIP: $tool is not installed (deploy/local/install-deps.sh)"
    exit 77
  done
}

# configure exits 77 (ctest's skip code) on some errors, so the autoconf
# checks below turn each failed build step into a FAIL.
# Item 18.5: a real autoconf + automake package (MPI found by link checks
# that declare MPI_Init without <mpi.h>, a library archived with
# wasmhpc-ar) builds natively and for wasmhpc; both print the same.
autoconf_package() {
  need autoreconf mpicc mpirun
  cp -r "$here/autoconf_project" src
  (cd src && autoreconf -fi)
  mkdir native wasm
  (cd native && ../src/configure CC=mpicc && "${MAKE:-make}") ||
    fail "native build"
  (cd wasm && ../src/configure --host=wasm32-wasi CC="$cc" \
    AR="$sdk/bin/wasmhpc-ar" RANLIB="$sdk/bin/wasmhpc-ranlib" &&
    "${MAKE:-make}") || fail "wasm build"
  grep -q "^#define HAVE_MPI_REDUCE_SCATTER_BLOCK 1" wasm/config.h ||
    fail "configure's AC_CHECK_FUNCS did not find an MPI function"
  bash "$here/../mpi/run_compare.sh" 2 native/ring wasm/ring "$RUN"
}

# Item 18.5: `wasmhpc-configure ./configure` with no other flags configures
# an MPI package as Emscripten's emconfigure would: its AX_MPI-style checks
# find the SDK, AC_CHECK_LIB(mpi, ...) passes, its test programs run under
# wasmhpc-run (configure does not cross-compile, so AC_RUN_IFELSE and
# AC_FUNC_MALLOC get the target's answers), make archives its library with
# wasmhpc-ar; native and Wasm builds print the same.
configure_wrapper() {
  need autoreconf mpicc mpirun
  cp -r "$here/configure_project" src
  (cd src && autoreconf -fi)
  mkdir native wasm
  (cd native && ../src/configure && "${MAKE:-make}") || fail "native build"
  (cd wasm && WASMHPC_RUN="$RUN" "$sdk/bin/wasmhpc-configure" ../src/configure |
    tee configure.out && "${MAKE:-make}") || fail "wasm build"
  grep -q "^host='wasm32-unknown-wasi'$" wasm/config.log ||
    fail "configure's host is not wasm32-unknown-wasi"
  [[ "$(grep "^build=" wasm/config.log)" == \
    "$(grep "^build=" native/config.log)" ]] ||
    fail "configure's build machine (config.guess) is not the native build's"
  grep -q "whether we are cross compiling... no" wasm/configure.out ||
    fail "configure did not run its test programs (cross-compiled)"
  sections wasm/probe > sections.txt
  expect_line sections.txt "import env.MPI_Reduce func"
  bash "$here/../mpi/run_compare.sh" 2 native/probe wasm/probe "$RUN"
}

# Item 18.5: plain `./configure CC=wasmhpc-cc` (no --host) configures too:
# its test programs run under wasmhpc-run. AR and RANLIB stay the host's GNU
# tools, which cannot index wasm32 objects: the link says so and what to
# use; with them the package builds and runs.
plain_configure() {
  need autoreconf mpirun
  cp -r "$here/autoconf_project" src
  (cd src && autoreconf -fi)
  mkdir plain && cd plain
  export WASMHPC_RUN="$RUN"
  ../src/configure CC="$cc" | tee configure.out || fail "configure failed"
  grep -q "whether we are cross compiling... no" configure.out ||
    fail "configure did not run its test programs"
  if "${MAKE:-make}" > make.log 2>&1; then fail "GNU ar's library linked"; fi
  grep -q "libstats.a has no symbol index: .*AR=wasmhpc-ar RANLIB=" make.log ||
    { cat make.log >&2; fail "no sentence saying how to archive"; }
  rm libstats.a
  "${MAKE:-make}" AR="$sdk/bin/wasmhpc-ar" RANLIB="$sdk/bin/wasmhpc-ranlib"
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    mpirun --oversubscribe -np 1 "$RUN" ring > ring.out
  # 0^2 + ... + 99^2 = 328350; the token goes around one rank unchanged.
  grep -qx "token 0 sum 328350" ring.out || { cat ring.out >&2; fail "ring"; }
}

# Item 18.5: wasmhpc-cmake, wasmhpc-make and `wasmhpc-configure meson` build
# CMake, plain Makefile and Meson projects with no SDK flags given.
build_wrappers() {
  need meson
  "$sdk/bin/wasmhpc-cmake" -S "$here/cmake_project" -B cmake
  "$sdk/bin/wasmhpc-cmake" --build cmake
  "$sdk/bin/wasmhpc-make" -C "$here/plain_make" OUT="$PWD/make"
  cp -r "$here/meson_project" "$here/autoconf_project" .
  "$sdk/bin/wasmhpc-configure" meson setup meson meson_project
  "$sdk/bin/wasmhpc-configure" meson compile -C meson
  for module in cmake/hello.wasm make/app.wasm meson/ring; do
    sections $module > sections.txt
    grep -q "^import env.MPI_.* func$" sections.txt ||
      fail "$module imports no MPI function"
  done
}

# Item 18.5: a Meson project with dependency('mpi') and a static library,
# natively and with the SDK's cross file; both print the same.
meson_project() {
  need meson mpicc mpirun
  cp -r "$here/meson_project" "$here/autoconf_project" .
  CC=mpicc meson setup native meson_project
  meson compile -C native
  PATH="$sdk/bin:$PATH" meson setup \
    --cross-file "$sdk/meson/wasm32-wasi-mpi.ini" wasm meson_project
  PATH="$sdk/bin:$PATH" meson compile -C wasm
  sections wasm/ring > sections.txt
  expect_line sections.txt "import env.MPI_Reduce func"
  bash "$here/../mpi/run_compare.sh" 2 native/ring wasm/ring "$RUN"
}

# Item 18.5: MPI functions declared without <mpi.h> (autoconf's link check)
# become env imports; a name that is no MPI function stays a link error.
plain_declaration() {
  printf 'char MPI_Init();\nint main(void) { return MPI_Init(); }\n' > a.c
  "$cc" -Wno-deprecated-non-prototype a.c -o a.wasm
  sections a.wasm > sections.txt
  expect_line sections.txt "import env.MPI_Init func"
  printf 'char MPI_Nonesuch();\nint main(void) { return MPI_Nonesuch(); }\n' \
    > b.c
  if "$cc" b.c -o b.wasm 2> link.log; then fail "MPI_Nonesuch linked"; fi
  grep -q "undefined symbol: MPI_Nonesuch" link.log ||
    { cat link.log >&2; fail "unexpected link error"; }
}

# Item 18.5: mpicc's queries print and run nothing; -show's command builds
# the module the wrapper builds; pkg-config finds mpi and wasmhpc.
queries() {
  local line version
  line="$("$cc" -show "$data/mpi_send.c" -o shown.wasm)"
  [[ ! -e shown.wasm ]] || fail "-show ran the command"
  eval "$line"
  sections shown.wasm > sections.txt
  expect_line sections.txt "import env.MPI_Send func"
  "$cc" --showme:compile | grep -q -- "-I$sdk/include" ||
    fail "--showme:compile lacks the include path"
  "$cc" -link-info | grep -q -- "--allow-undefined-file=" ||
    fail "-link-info lacks the import list"
  "$cc" --showme:version | grep -q "MPI 3.1" || fail "--showme:version"
  version="$(sed -n 's/^define MPI_\(SUB\)\{0,1\}VERSION //p' \
    "$sdk/abi/mpi_abi.txt" | paste -sd.)"
  for pc in mpi wasmhpc; do
    [[ "$("$sdk/bin/wasmhpc-pkg-config" --modversion $pc)" == "$version" ]] ||
      fail "$pc.pc's version is not the table's MPI $version"
  done
  # shellcheck disable=SC2046  # pkg-config's flags are words
  "$cc" $("$sdk/bin/wasmhpc-pkg-config" --cflags --libs wasmhpc) \
    "$data/mpi_send.c" -o pc.wasm
  ar_check
}

# wasmhpc-ar/-ranlib/-nm make a library wasm-ld links (GNU ar cannot).
ar_check() {
  printf 'int twice(int x) { return 2 * x; }\n' > lib.c
  printf 'int twice(int);\nint main(void) { return twice(0); }\n' > main.c
  "$cc" -c lib.c main.c
  "$sdk/bin/wasmhpc-ar" cr libtwice.a lib.o
  "$sdk/bin/wasmhpc-ranlib" libtwice.a
  "$sdk/bin/wasmhpc-nm" libtwice.a | grep -q "T twice" || fail "nm: no twice"
  "$cc" main.o -L. -ltwice -o twice.wasm
}

# Item 18.5: `cmake --install` (component sdk) puts the SDK under the
# prefix and its tools on the prefix's bin/, where they work.
install_prefix() {
  "${CMAKE:-cmake}" --install "${BUILD_DIR:?}" --component sdk \
    --prefix "$PWD/prefix" > install.log
  for tool in wasmhpc-cc wasmhpc-c++ wasmhpc-ar wasmhpc-ranlib wasmhpc-nm \
    wasmhpc-strip wasmhpc-objdump wasmhpc-ld wasmhpc-pkg-config \
    wasmhpc-configure wasmhpc-make wasmhpc-cmake; do
    [[ -x prefix/bin/$tool ]] || fail "prefix/bin/$tool missing"
  done
  PATH="$PWD/prefix/bin:$PATH" wasmhpc-cc "$data/mpi_send.c" -o send.wasm
  sections send.wasm > sections.txt
  expect_line sections.txt "import env.MPI_Send func"
  prefix/bin/wasmhpc-pkg-config --cflags mpi |
    grep -q "prefix/share/wasmhpc/sdk" ||
    fail "installed mpi.pc does not point into the prefix"
  [[ -f prefix/share/wasmhpc/sdk/meson/wasm32-wasi-mpi.ini ]] ||
    fail "the Meson cross file is not installed"
}

# Item 18.6: every call of the POSIX compat layer, from unmodified code,
# prints what include/wasmhpc/compat.h promises (data/compat_posix.expected).
compat_run() {
  mkdir -p tree/d/sub && touch tree/d/file && ln -s d/sub tree/link
  "$cc" -Wall -Wextra -Werror "$data/compat_posix.c" -o compat.wasm
  "$cxx" -Wall -Wextra -Werror -x c++ "$data/compat_posix.c" -o compat_cxx.wasm
  for module in compat compat_cxx; do
    "$RUN" --dir "$PWD/tree:/tree" $module.wasm /tree > $module.out
    diff -u "$data/compat_posix.expected" $module.out ||
      fail "$module: the compat layer's output differs"
  done
}

# Item 18.9: no host header is ever on the include path (C and C++), and
# nothing a program includes comes from outside the SDK and clang.
no_host_headers() {
  local lang driver
  for lang in c c++; do
    driver="$cc"; [[ $lang == c++ ]] && driver="$cxx"
    echo | "$driver" -v -E -x $lang - 2> search.txt > /dev/null
    sed -n '/search starts here:/,/End of search/p' search.txt > dirs.txt
    if grep -E "^ (/usr/local/include|/usr/include)(/x86_64-linux-gnu)?$" \
      dirs.txt; then fail "a host include folder is searched ($lang)"; fi
    "$driver" -x $lang -M "$data/host_headers.c" > deps.txt
    tr ' \\' '\n\n' < deps.txt | grep '^/' | grep -v -e "^$sdk/" -e "^$data/" \
      -e "^$(dirname "$("$clang" -print-resource-dir)")" > host.txt || true
    [[ ! -s host.txt ]] || { cat host.txt >&2; fail "host headers used"; }
  done
}

# Item 18.9: what a guest cannot have fails at compile or link time with
# one sentence saying so.
unsupported() {
  expect_refusal() {  # expect_refusal TEXT cc-args...: fails, says TEXT
    local text="$1"; shift
    if "$cc" "$@" > out.txt 2>&1; then fail "'$*' succeeded"; fi
    grep -q -- "$text" out.txt || { cat out.txt >&2; fail "'$*': no '$text'"; }
  }
  printf '#include <pthread.h>\nint main(void) { return 0; }\n' > pt.c
  printf '#include <zlib.h>\nint main(void) { return 0; }\n' > z.c
  printf 'int main(void) { return 0; }\n' > e.c
  expect_refusal "<pthread.h>: threads are not supported yet" -c pt.c
  expect_refusal "-pthread: threads are not supported yet" -pthread e.c
  expect_refusal "-fopenmp: OpenMP needs threads" -fopenmp e.c
  expect_refusal "<zlib.h> is not in the wasm32 sysroot" -c z.c
  expect_refusal "-lz: no wasm32 libz.a" e.c -lz
  "$cc" -fopenmp-simd e.c -o simd.wasm
}

check="${1:?usage: sdk_test.sh CHECK WORK_DIR}"
work="${2:?usage: sdk_test.sh CHECK WORK_DIR}"
declare -F "$check" > /dev/null || fail "no check named '$check'"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$check"
echo "PASS: $check"
