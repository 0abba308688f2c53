#!/usr/bin/env bash
# make bench: see bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/bench.py "${1:-build}" "${@:2}"
