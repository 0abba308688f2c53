#!/usr/bin/env bash
# make bench: see bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's python3: the one that sees python3-matplotlib.
exec /usr/bin/python3 bench/bench.py "${1:-build}" "${@:2}"
