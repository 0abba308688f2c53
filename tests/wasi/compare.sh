#!/usr/bin/env bash
# Runs a WASI guest program natively and/or as Wasm under wasmhpc-run in a
# fresh work directory each, then compares stdout and exit codes.
#
#   compare.sh [--native EXE] [--runner WASMHPC_RUN --wasm MODULE]
#              [--ro] [--expect FILE] [--exit CODE] [-- GUEST_ARGS...]
#
# Each run gets WORK/box (holding inside.txt and subdir/) and
# WORK/outside.txt. The native program gets WORK/box as argv[1]; the module
# gets /sandbox, preopened with --dir WORK/box:/sandbox[:ro]. Both see
# WASMHPC_TEST_VAR=hello. Passes when every run exits with CODE (if given),
# prints FILE (if given) and, with both runs, the two outputs agree.
set -euo pipefail

native="" runner="" wasm="" ro="" expect="" want_exit=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --native) native="$2"; shift 2 ;;
    --runner) runner="$2"; shift 2 ;;
    --wasm) wasm="$2"; shift 2 ;;
    --ro) ro=":ro"; shift ;;
    --expect) expect="$2"; shift 2 ;;
    --exit) want_exit="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ -z "$native" && ( -z "$runner" || -z "$wasm" ) ]]; then
  echo "compare.sh: give --native, or --runner and --wasm" >&2
  exit 2
fi

# The runs happen in their work directories: make paths absolute.
abs() { [[ -z "$1" || "$1" == /* ]] && echo "$1" || echo "$PWD/$1"; }
native="$(abs "$native")" wasm="$(abs "$wasm")" expect="$(abs "$expect")"
[[ "$runner" == */* ]] && runner="$(abs "$runner")"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/wasi-compare.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
failed=0

# new_work NAME: a fresh work directory, printed.
new_work() {
  local work="$scratch/$1"
  mkdir -p "$work/box/subdir"
  printf 'inside\n' >"$work/box/inside.txt"
  printf 'outside\n' >"$work/outside.txt"
  echo "$work"
}

# check NAME OUTPUT EXIT
check() {
  if [[ -n "$want_exit" && "$3" != "$want_exit" ]]; then
    echo "FAIL: $1 exited with $3, expected $want_exit" >&2
    failed=1
  fi
  if [[ -n "$expect" ]] && ! diff -u "$expect" "$2" >&2; then
    echo "FAIL: $1 output differs from $expect (diff above)" >&2
    failed=1
  fi
}

if [[ -n "$native" ]]; then
  work="$(new_work native)"
  rc=0
  (cd "$work" && WASMHPC_TEST_VAR=hello "$native" "$work/box" "$@") \
    >"$scratch/native.out" || rc=$?
  check native "$scratch/native.out" "$rc"
fi

if [[ -n "$runner" ]]; then
  work="$(new_work wasm)"
  rc=0
  (cd "$work" && "$runner" --dir "$work/box:/sandbox$ro" \
      --env WASMHPC_TEST_VAR=hello "$wasm" /sandbox "$@") \
    >"$scratch/wasm.out" || rc=$?
  check wasm "$scratch/wasm.out" "$rc"
fi

if [[ -n "$native" && -n "$runner" ]] &&
   ! diff -u "$scratch/native.out" "$scratch/wasm.out" >&2; then
  echo "FAIL: native and wasm outputs differ (diff above: native, wasm)" >&2
  failed=1
fi

if [[ $failed -ne 0 ]]; then
  for run in native wasm; do
    if [[ -f "$scratch/$run.out" ]]; then
      echo "--- $run stdout:" >&2
      cat "$scratch/$run.out" >&2
    fi
  done
fi
exit "$failed"
