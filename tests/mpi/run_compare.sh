#!/usr/bin/env bash
# Runs an MPI program natively and as Wasm under wasmhpc-run with the same
# number of ranks; their outputs (lines sorted, since ranks interleave) must
# be identical, and both must exit 0.
# usage: run_compare.sh NP NATIVE_EXE MODULE.wasm WASMHPC_RUN [args...]
set -u
np=$1 native=$2 module=$3 run=$4
shift 4
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun_np() { timeout 120 mpirun --oversubscribe --bind-to none -np "$np" "$@"; }
want=$(mpirun_np "$native" "$@" 2>&1) || { echo "native run failed:"; echo "$want"; exit 1; }
got=$(mpirun_np "$run" "$module" "$@" 2>&1) || { echo "wasm run failed:"; echo "$got"; exit 1; }
if [ "$(sort <<<"$want")" != "$(sort <<<"$got")" ]; then
  echo "outputs differ (native < > wasm):"
  diff <(sort <<<"$want") <(sort <<<"$got")
  exit 1
fi
echo "np=$np: $(wc -l <<<"$got") lines identical"
