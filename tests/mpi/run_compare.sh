#!/usr/bin/env bash
# Runs an MPI program natively and as Wasm under wasmhpc-run with the same
# number of ranks. Each rank's stdout is captured separately (mpirun
# --output-filename), so interleaving cannot blur the comparison: every
# rank's output must be byte-identical between the two runs, and both runs
# must exit 0, and some rank must print a line (no output compares nothing).
# With --workdir, each run starts in a fresh empty directory (the native
# program's working directory; the Wasm guest's preopen "." through
# --dir), and the files the two runs leave there (at least one) must be
# byte-identical.
# With --fields N, only the first N fields of each line are compared (for
# output with timings after them, as pingpong's).
# $NATIVE_MPIRUN_ARGS: extra mpirun options for the native run only.
# usage: run_compare.sh [--workdir] [--fields N] NP NATIVE_EXE MODULE.wasm
#                       WASMHPC_RUN [args...]
set -u
workdir=0 fields=0
if [ "$1" = "--workdir" ]; then workdir=1; shift; fi
if [ "$1" = "--fields" ]; then fields=$2; shift 2; fi
np=$1 native=$2 module=$3 run=$4
shift 4
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
read -r -a native_opts <<<"${NATIVE_MPIRUN_ARGS:-}"
wasm_opts=()
if [ $workdir -eq 1 ]; then
  mkdir "$out/native.cwd" "$out/wasm.cwd"
  native_opts+=(-wdir "$out/native.cwd")
  wasm_opts=(-wdir "$out/wasm.cwd")
  run_dir=(--dir "$out/wasm.cwd:.")
else
  run_dir=()
fi

# run_ranks DIR OPTS_ARRAY command...: per-rank output in
# DIR/1/rank.N/stdout; OPTS_ARRAY names extra mpirun options.
run_ranks() {
  local dir=$1 opts=$2
  shift 2
  local -n extra=$opts
  timeout 120 mpirun --oversubscribe --bind-to none -np "$np" \
    --output-filename "$dir" "${extra[@]}" "$@" >"$dir.console" 2>&1
}

status=0
run_ranks "$out/native" native_opts "$native" "$@" ||
  { echo "native run failed:"; cat "$out/native.console"; status=1; }
run_ranks "$out/wasm" wasm_opts "$run" "${run_dir[@]}" "$module" "$@" ||
  { echo "wasm run failed:"; cat "$out/wasm.console"; status=1; }
[ $status -eq 0 ] || exit 1

# rank_output DIR R: what rank R printed (nothing if it has no file),
# cut to the first $fields fields with --fields.
rank_output() {
  if [ "$fields" -gt 0 ]; then
    awk -v n="$fields" '{ NF = n < NF ? n : NF; print }' "$1/1/rank.$2/stdout" 2>/dev/null
  else
    cat "$1/1/rank.$2/stdout" 2>/dev/null
  fi
}

lines=0
for ((r = 0; r < np; r++)); do
  want=$(rank_output "$out/native" $r)
  got=$(rank_output "$out/wasm" $r)
  if [ "$want" != "$got" ]; then
    echo "rank $r output differs (native < > wasm):"
    diff <(echo "$want") <(echo "$got") | head -40
    status=1
  fi
  [ -z "$got" ] || lines=$((lines + $(grep -c '' <<<"$got")))
done
# Identical silence proves nothing: some rank must have printed a line.
if [ $lines -eq 0 ]; then
  echo "no rank printed anything: nothing was compared"
  status=1
fi
if [ $workdir -eq 1 ]; then
  files=$(cd "$out/native.cwd" && find . -type f | sort)
  if [ -z "$files" ]; then
    echo "--workdir: the native run left no file: nothing to compare"
    status=1
  fi
  if [ "$files" != "$(cd "$out/wasm.cwd" && find . -type f | sort)" ]; then
    echo "the runs left different files:"
    diff <(echo "$files") <(cd "$out/wasm.cwd" && find . -type f | sort)
    status=1
  fi
  for f in $files; do
    cmp "$out/native.cwd/$f" "$out/wasm.cwd/$f" || status=1
  done
  [ $status -eq 0 ] && echo "np=$np: files identical: $(echo $files)"
fi
[ $status -eq 0 ] && echo "np=$np: $lines lines identical on every rank"
exit $status
