#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then the installed programs run
# from there: each binary finds V8 (libnode) through its rpath in the prefix,
# not in the build or source tree, and wasmhpc-pool finds the worker beside it.
# usage: install_test.sh BUILD_DIR [CMAKE]
set -euo pipefail
build=$(cd "$1" && pwd)
cmake=${2:-cmake}
prefix=$(mktemp -d "${TMPDIR:-/tmp}/wasmhpc-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

"$cmake" --install "$build" --prefix "$prefix" >"$prefix.log" 2>&1 ||
  { cat "$prefix.log" >&2; rm -f "$prefix.log"; fail "cmake --install failed"; }
rm -f "$prefix.log"

binaries=(wasmhpc-head wasmhpc-worker wasmhpc-cli wasmhpc-run)
v8_users=()
for program in "${binaries[@]}" wasmhpc-pool; do
  [ -x "$prefix/bin/$program" ] || fail "$prefix/bin/$program not installed"
done
libnode="$prefix/lib/wasmhpc/libnode.so.108"
[ -f "$libnode" ] || fail "$libnode not installed"

for program in "${binaries[@]}"; do
  if ldd "$prefix/bin/$program" | grep -q "not found"; then
    fail "$program: $(ldd "$prefix/bin/$program" | grep 'not found')"
  fi
  # The CLI needs no V8.
  readelf -d "$prefix/bin/$program" | grep -q 'NEEDED.*\[libnode.so.108\]' ||
    continue
  runpath=$(readelf -d "$prefix/bin/$program" | sed -n 's/.*R\(UN\)\{0,1\}PATH.*\[\(.*\)\]/\2/p')
  [ "$runpath" = '$ORIGIN/../lib/wasmhpc' ] ||
    fail "$program: rpath '$runpath', expected '\$ORIGIN/../lib/wasmhpc'"
  resolved=$(ldd "$prefix/bin/$program" | awk '$1 == "libnode.so.108" {print $3}')
  [ -n "$resolved" ] && [ "$(readlink -f "$resolved")" = "$(readlink -f "$libnode")" ] ||
    fail "$program: libnode.so.108 resolves to '$resolved', not $libnode"
  v8_users+=("$program")
done
[ "${#v8_users[@]}" -eq 3 ] ||
  fail "expected head, worker and wasmhpc-run to link libnode: ${v8_users[*]}"

# Each program answers --help (V8 and MPI are loaded by then).
expect_help() {
  local program=$1 help
  help=$("$prefix/bin/$program" --help 2>&1) ||
    fail "$program --help failed: $help"
  grep -q "usage: .*$program" <<<"$help" ||
    fail "$program --help printed no usage line: $help"
}
for program in "${binaries[@]}" wasmhpc-pool; do expect_help "$program"; done
# ... and --version, the project's version (CMake's).
for program in "${binaries[@]}" wasmhpc-pool; do
  version=$("$prefix/bin/$program" --version 2>&1) ||
    fail "$program --version failed: $version"
  grep -qx "$program [0-9]*\.[0-9]*\.[0-9]*" <<<"$version" ||
    fail "$program --version printed '$version'"
done

# The SDK's tools answer --version too (the compiler's, as mpicc does).
for tool in wasmhpc-cc wasmhpc-c++; do
  version=$("$prefix/share/wasmhpc/sdk/bin/$tool" --version 2>&1) ||
    fail "$tool --version failed: $version"
  grep -q "clang version" <<<"$version" ||
    fail "$tool --version printed '$version'"
done

# wasmhpc-cli's completion, where bash-completion and zsh look; the bash
# one completes commands once sourced.
zsh_completion="$prefix/share/zsh/vendor-completions/_wasmhpc-cli"
bash_completion="$prefix/share/bash-completion/completions/wasmhpc-cli"
[ "$(head -1 "$zsh_completion")" = "#compdef wasmhpc-cli" ] ||
  fail "$zsh_completion not installed"
completed=$(bash --norc -c 'source "$1"; COMP_WORDS=(wasmhpc-cli modules p)
  COMP_CWORD=2; _wasmhpc_cli; echo "${COMPREPLY[*]}"' sh "$bash_completion") ||
  fail "$bash_completion: cannot source it"
[ "$completed" = "push" ] || fail "$bash_completion completes '$completed'"

# The launcher finds the installed worker beside itself: with mpirun replaced
# by echo, it prints the command it would run.
launched=$(env -u WASMHPC_WORKER "$prefix/bin/wasmhpc-pool" --head 127.0.0.1:1 \
  --mpirun echo -- -np 3 -- --max-memory 64)
[ "$launched" = "-np 3 $prefix/bin/wasmhpc-worker --head 127.0.0.1:1 --max-memory 64" ] ||
  fail "wasmhpc-pool would run: $launched"

echo "PASS: installed into a temporary prefix; binaries find libnode there and run"
