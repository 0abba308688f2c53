#!/usr/bin/env bash
# The real thing end to end: deploy/local/start.sh starts wasmhpc-head and a
# pool of 5 ranks under mpirun; jobs go through wasmhpc-cli, and one through
# the REST API (rest_smoke.py), whose answers must match the OpenAPI
# document (openapi_check.py); a pool that exits to be replaced comes back.
# usage: cluster_test.sh BUILD_DIR
set -u
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
export WASMHPC_STATE=$(mktemp -d)
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
export WASMHPC_PORT=$(free_port)
export WASMHPC_REST_PORT=$(free_port)
trap '"$top/deploy/local/stop.sh" "$build" >/dev/null; rm -rf "$WASMHPC_STATE"' EXIT
cli=("$build/client-cli/wasmhpc-cli" --server "127.0.0.1:$WASMHPC_PORT")
failures=0

# check NAME EXIT TEXT command...: exit code and a text in stdout+stderr.
check() {
  local name=$1 want=$2 text=$3
  shift 3
  local out
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" != "$want" ] || ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL $name: exit $got (want $want), expected '$text' in:"
    echo "$out"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

"$top/deploy/local/start.sh" "$build" || { echo "FAIL start"; exit 1; }

check hello-on-3-ranks 0 "hello from rank 2 of 3" \
  "${cli[@]}" submit "$build/examples/hello.wasm" --ranks 3
check guest-args-and-numbers 0 "iterations: 91" \
  "${cli[@]}" submit "$build/examples/cg.wasm" --ranks 2 -- 32
check trap-fails-the-job 134 "divide by zero" \
  "${cli[@]}" submit "$build/tests/run/traps.wasm" --ranks 2 -- divzero
check pool-goes-on-after-a-trap 0 "hello from rank 3 of 4" \
  "${cli[@]}" submit "$build/examples/hello.wasm" --ranks 4
check more-ranks-than-the-pool 1 "the largest pool has 4 executor ranks" \
  "${cli[@]}" submit "$build/examples/hello.wasm" --ranks 9
check exit-code-of-the-job 42 "" \
  "${cli[@]}" submit "$build/tests/run/exit_code.wasm" --ranks 1 -- 42

# Two jobs at once on disjoint ranks.
out=$(mktemp -d)
"${cli[@]}" submit "$build/examples/pi.wasm" --ranks 2 >"$out/a" 2>&1 &
"${cli[@]}" submit "$build/examples/pi.wasm" --ranks 2 >"$out/b" 2>&1
b=$?
wait $!
a=$?
if [ $a -ne 0 ] || [ $b -ne 0 ] || ! grep -q "3.14159265358" "$out/a" ||
   ! grep -q "3.14159265358" "$out/b"; then
  echo "FAIL concurrent-jobs: exits $a $b"; cat "$out/a" "$out/b"
  failures=$((failures + 1))
else
  echo "ok   concurrent-jobs"
fi
rm -rf "$out"

check jobs-are-listed 0 "SUCCEEDED" "${cli[@]}" jobs

# A stop that leaves a rank stuck in MPI_Barrier (its peer computes until
# cancelled): the pool exits 75 to be replaced, start.sh's supervisor starts
# it again and the next job runs on the new pool.
id=$("${cli[@]}" submit "$build/tests/pool/pool_guest.wasm" --ranks 2 \
  --detach -- barrier)
for ((i = 0; i < 600; i++)); do
  "${cli[@]}" logs "$id" 2>/dev/null | grep -q "rank 1 of 2: barrier" && break
  sleep 0.1
done
check stuck-rank-job-cancelled 0 "" "${cli[@]}" cancel "$id"
replaced() {
  grep -q "starting it again" "$WASMHPC_STATE/pool.log" &&
    "${cli[@]}" --output json pools | grep -q POOL_ACTIVE
}
for ((i = 0; i < 600; i++)); do replaced && break; sleep 0.1; done
check pool-was-replaced 0 "" replaced
check replaced-pool-runs-jobs 0 "hello from rank 1 of 2" \
  "${cli[@]}" submit "$build/examples/hello.wasm" --ranks 2

# The REST API on the same head and pool.
python3 "$top/tests/service/rest_smoke.py" "http://127.0.0.1:$WASMHPC_REST_PORT" \
  "$build" || failures=$((failures + 1))
# Its answers against its OpenAPI document (Debian's python3-jsonschema).
python3 "$top/tests/service/openapi_check.py" \
  "http://127.0.0.1:$WASMHPC_REST_PORT" || failures=$((failures + 1))
echo "$failures failed"
[ $failures -eq 0 ]
