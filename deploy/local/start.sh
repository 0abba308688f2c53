#!/usr/bin/env bash
# Starts a local wasmhpc: a head (gRPC + REST) and one worker pool of N ranks
# under mpirun, in the background, and waits until the pool has attached.
# A pool that exits 75 (it asks to be replaced) is started again.
# usage: deploy/local/start.sh [BUILD_DIR]
# Environment: WASMHPC_PORT (gRPC, default 7070; 0: a free port, read from
#   the head's log), WASMHPC_REST_PORT (default 7080; 0: a free port; "off"
#   for none), WASMHPC_POOL_RANKS (default 5:
#   rank 0 controls, 4 run jobs), WASMHPC_STATE (default BUILD/local: data
#   dir, logs, pid files). Stop with deploy/local/stop.sh.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
port=${WASMHPC_PORT:-7070}
rest_port=${WASMHPC_REST_PORT:-7080}
ranks=${WASMHPC_POOL_RANKS:-5}
state=${WASMHPC_STATE:-$build/local}
mkdir -p "$state/data"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

if [ -f "$state/head.pid" ] && kill -0 "$(cat "$state/head.pid")" 2>/dev/null; then
  echo "start: a head already runs (pid $(cat "$state/head.pid")); stop it first" >&2
  exit 1
fi

"$build/server/wasmhpc-head" --grpc-port "$port" --rest-port "$rest_port" \
  --data-dir "$state/data" --allow-dir /tmp >"$state/head.log" 2>&1 &
echo $! >"$state/head.pid"

# wait_for SECONDS DESCRIPTION command...: polls until the command succeeds.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "start: $what did not happen within ${seconds}s; see $state/*.log" >&2
  return 1
}

wait_for 20 "head listening on :$port" grep -q "listening on" "$state/head.log"
if [ "$port" = 0 ]; then
  port=$(sed -n 's/^wasmhpc-head: listening on .*:\([0-9]*\)$/\1/p' "$state/head.log")
fi
if [ "$rest_port" = 0 ]; then
  wait_for 20 "REST listening" grep -q "REST on" "$state/head.log"
  rest_port=$(sed -n 's/^wasmhpc-head: REST on .*:\([0-9]*\)$/\1/p' "$state/head.log")
fi
cli=("$build/client-cli/wasmhpc-cli" --server "127.0.0.1:$port")

# The pool under mpirun, started again whenever it exits 75: a pool exits so
# to be replaced (a rank a stopped job left stuck in a collective; see
# deploy/README), as systemd's Restart=always and the MPIJob do for theirs.
# TERM (stop.sh) ends the pool and this loop.
supervise_pool() {
  local child=""
  trap '[ -z "$child" ] || kill -TERM "$child" 2>/dev/null; wait; exit 0' TERM INT
  while :; do
    mpirun --oversubscribe --bind-to none -np "$ranks" \
      "$build/worker/pool/wasmhpc-worker" --head "127.0.0.1:$port" \
      --code-key "$state/data/code.key" --allow-dir /tmp &
    child=$!
    local rc=0
    wait "$child" || rc=$?
    [ "$rc" = 75 ] || exit "$rc"
    echo "start: the pool exited 75 to be replaced; starting it again"
  done
}
supervise_pool >"$state/pool.log" 2>&1 </dev/null &
echo $! >"$state/pool.pid"
wait_for 60 "the pool attaching" sh -c "\"\$@\" --output json pools | grep -q ranks" -- "${cli[@]}"
rest="REST off"
[ "$rest_port" = off ] || rest="REST on http://127.0.0.1:$rest_port"
echo "wasmhpc: head on 127.0.0.1:$port ($rest), pool of $ranks ranks ($((ranks - 1)) run jobs)"
