#!/usr/bin/env bash
# Stops what deploy/local/start.sh started: the pool, then the head.
# usage: deploy/local/stop.sh [BUILD_DIR]
set -uo pipefail
build=$(cd "${1:-build}" && pwd)
state=${WASMHPC_STATE:-$build/local}
for name in pool head; do
  pidfile="$state/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
done
echo "wasmhpc: stopped"
