#!/usr/bin/env bash
# make demo: a head and a local pool of warm ranks in the background, two
# example jobs submitted at once through wasmhpc-cli, then the same
# programs under mpirun + wasmhpc-run and natively; everything is stopped
# at the end.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export WASMHPC_PORT=${WASMHPC_PORT:-7070}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cli=("$build/client-cli/wasmhpc-cli" --server "127.0.0.1:$WASMHPC_PORT")
run="$build/worker/wasmhpc-run"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { echo "\$ $*"; "$@"; }

step "Start a head and a pool of 5 warm ranks (deploy/local/start.sh)"
trap 'deploy/local/stop.sh "$build"' EXIT
deploy/local/start.sh "$build"
show "${cli[@]}" pools

step "Submit two jobs at once: CG on 2 ranks and pi on 2 ranks"
echo "\$ wasmhpc-cli submit $build/examples/cg.wasm --ranks 2 -- 32 &"
echo "\$ wasmhpc-cli submit $build/examples/pi.wasm --ranks 2"
out=$(mktemp -d)
"${cli[@]}" submit "$build/examples/cg.wasm" --ranks 2 -- 32 >"$out/cg" 2>&1 &
"${cli[@]}" submit "$build/examples/pi.wasm" --ranks 2 >"$out/pi" 2>&1
wait
echo "-- cg:"; cat "$out/cg"
echo "-- pi:"; cat "$out/pi"
rm -rf "$out"

step "A job that traps on one rank fails with its message; the pool goes on"
show "${cli[@]}" submit "$build/tests/run/traps.wasm" --ranks 2 -- divzero ||
  echo "(exit code $?)"
show "${cli[@]}" submit "$build/examples/hello.wasm" --ranks 4
show "${cli[@]}" jobs

step "Without the service: mpirun -np 4 wasmhpc-run, then the native build"
show mpirun --oversubscribe --bind-to none -np 4 "$run" "$build/examples/pi.wasm"
show mpirun --oversubscribe --bind-to none -np 4 "$build/examples/pi"
