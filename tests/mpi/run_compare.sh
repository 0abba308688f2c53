#!/usr/bin/env bash
# Runs an MPI program natively and as Wasm under wasmhpc-run with the same
# number of ranks. Each rank's stdout is captured separately (mpirun
# --output-filename), so interleaving cannot blur the comparison: every
# rank's output must be byte-identical between the two runs, and both runs
# must exit 0.
# usage: run_compare.sh NP NATIVE_EXE MODULE.wasm WASMHPC_RUN [args...]
set -u
np=$1 native=$2 module=$3 run=$4
shift 4
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# run_ranks DIR command...: per-rank output in DIR/1/rank.N/stdout.
run_ranks() {
  local dir=$1
  shift
  timeout 120 mpirun --oversubscribe --bind-to none -np "$np" \
    --output-filename "$dir" "$@" >"$dir.console" 2>&1
}

status=0
run_ranks "$out/native" "$native" "$@" ||
  { echo "native run failed:"; cat "$out/native.console"; status=1; }
run_ranks "$out/wasm" "$run" "$module" "$@" ||
  { echo "wasm run failed:"; cat "$out/wasm.console"; status=1; }
[ $status -eq 0 ] || exit 1

lines=0
for ((r = 0; r < np; r++)); do
  # A rank that printed nothing may have no file: read it as empty.
  want=$(cat "$out/native/1/rank.$r/stdout" 2>/dev/null)
  got=$(cat "$out/wasm/1/rank.$r/stdout" 2>/dev/null)
  if [ "$want" != "$got" ]; then
    echo "rank $r output differs (native < > wasm):"
    diff <(echo "$want") <(echo "$got") | head -40
    status=1
  fi
  lines=$((lines + $(grep -c '' <<<"$got")))
done
[ $status -eq 0 ] && echo "np=$np: $lines lines identical on every rank"
exit $status
