#!/usr/bin/env bash
# make demo: runs the examples that this build can run, natively and as Wasm
# under wasmhpc-run, side by side.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
run="$build/worker/wasmhpc-run"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun_local() { mpirun --oversubscribe -np "$@"; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "A serial CG solve (3-D Poisson), compiled once to Wasm, run by wasmhpc-run"
echo "\$ $run $build/bench/cg_serial.wasm 48"
"$run" "$build/bench/cg_serial.wasm" 48
step "The same source built natively"
"$build/bench/cg_serial" 48

step "WASI in a sandbox: the guest sees only the preopened directory"
sandbox=$(mktemp -d)
trap 'rm -rf "$sandbox"' EXIT
echo "\$ $run --dir $sandbox:/data --env WASMHPC_TEST_VAR=demo $build/tests/wasi/wasi_suite.wasm /data a b"
"$run" --dir "$sandbox:/data" --env WASMHPC_TEST_VAR=demo \
  "$build/tests/wasi/wasi_suite.wasm" /data a b || echo "(exit code $?)"

step "MPI examples, native under mpirun (the Wasm builds are next to them)"
mpirun_local 4 "$build/examples/hello"
mpirun_local 4 "$build/examples/pi"
ls -l "$build"/examples/*.wasm

step "An MPI module under wasmhpc-run (the MPI bridge is the next milestone)"
"$run" "$build/examples/hello.wasm" || true
