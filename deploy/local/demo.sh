#!/usr/bin/env bash
# make demo: MPI examples compiled once to Wasm, run by wasmhpc-run on the
# host's Open MPI, next to the same sources built natively.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
run="$build/worker/wasmhpc-run"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun_np() { mpirun --oversubscribe --bind-to none -np "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { echo "\$ $*"; "$@"; }

step "hello: 4 ranks, one Wasm module, the host's Open MPI"
show mpirun_np 4 "$run" "$build/examples/hello.wasm"

step "pi: numerical integration + MPI_Reduce, Wasm then native"
show mpirun_np 4 "$run" "$build/examples/pi.wasm"
show mpirun_np 4 "$build/examples/pi"

step "CG on a 3-D Poisson problem (halo exchange + MPI_Allreduce), Wasm then native"
show mpirun_np 4 "$run" "$build/examples/cg.wasm" 48
show mpirun_np 4 "$build/examples/cg" 48

step "pingpong latency/bandwidth, Wasm (2 ranks)"
show mpirun_np 2 "$run" "$build/examples/pingpong.wasm" 200 65536

step "WASI in a sandbox: the guest sees only the preopened directory"
sandbox=$(mktemp -d)
trap 'rm -rf "$sandbox"' EXIT
show "$run" --dir "$sandbox:/data" --env WASMHPC_TEST_VAR=demo \
  "$build/tests/wasi/wasi_suite.wasm" /data a b || echo "(exit code $?, as the program intends)"

step "A guest fault is a trap with the Wasm stack, never a crash"
show "$run" "$build/tests/run/traps.wasm" divzero || echo "(exit code $?)"
