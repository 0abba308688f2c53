#!/usr/bin/env bash
# The compiled-code cache of wasmhpc-run, end to end.
# usage: cache_test.sh WASMHPC_RUN MODULE.wasm MPI_MODULE.wasm
set -u
run=$1 module=$2 mpi_module=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
failures=0

# expect NAME TEXT command...: the command succeeds and its stderr has TEXT.
expect() {
  local name=$1 text=$2
  shift 2
  local out
  out=$("$@" 2>&1 >/dev/null)
  if [ $? -ne 0 ] || ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL $name: expected '$text' in:"
    echo "$out"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

cache="$dir/cache"
expect first-run-compiles "code compiled" "$run" --cache "$cache" --timings "$module"
expect second-run-loads-from-cache "code loaded from cache" \
  "$run" --cache "$cache" --timings "$module"

# One more byte (an empty custom section) is another module: new digest.
cp "$module" "$dir/changed.wasm"
printf '\x00\x02\x01x' >>"$dir/changed.wasm"
expect changed-module-compiles "code compiled" \
  "$run" --cache "$cache" --timings "$dir/changed.wasm"
expect changed-module-cached-too "code loaded from cache" \
  "$run" --cache "$cache" --timings "$dir/changed.wasm"

expect no-cache-compiles "code compiled" "$run" --no-cache --timings "$module"

# A hit opens the cache read-only: it writes nothing (no log, no OPTIONS or
# MANIFEST file; a writable open fsyncs those on every run).
before=$(ls -l --time-style=+%s.%N "$cache")
expect hit-writes-nothing "code loaded from cache" \
  "$run" --cache "$cache" --timings "$module"
if [ "$(ls -l --time-style=+%s.%N "$cache")" != "$before" ]; then
  echo "FAIL hit-writes-nothing: the cache directory changed:"
  diff <(echo "$before") <(ls -l --time-style=+%s.%N "$cache")
  failures=$((failures + 1))
fi

# Data survives: a fresh process over the same directory still hits.
expect survives-restart "code loaded from cache" \
  "$run" --cache "$cache" --timings "$module"

# A cache path that cannot be a cache: said once, the run goes on.
touch "$dir/file"
out=$("$run" --cache "$dir/file" "$module" 2>&1 >/dev/null)
if [ $? -ne 0 ] || [ "$(grep -c 'running without it' <<<"$out")" != 1 ]; then
  echo "FAIL unusable-cache: expected one 'running without it' line and exit 0:"
  echo "$out"
  failures=$((failures + 1))
else
  echo "ok   unusable-cache"
fi

# Under mpirun one rank per node loads; its peers get the code from it.
expect node-peers-share-code "rank 1 timings: code loaded from node leader" \
  mpirun --oversubscribe -np 2 "$run" --cache "$cache" --timings "$mpi_module"

echo "$failures failed"
[ $failures -eq 0 ]
