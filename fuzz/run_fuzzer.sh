#!/usr/bin/env bash
# Runs one libFuzzer harness (fuzz/CMakeLists.txt's ctest tests and
# `make fuzz` call this).
#
# Usage: run_fuzzer.sh fuzz|seeds HARNESS SEEDS BUILD SECONDS [FLAGS...]
#   fuzz:  fuzz for SECONDS (FUZZ_SECONDS in the environment overrides it)
#          from the seed files in SEEDS (never written) and what earlier runs
#          found, kept in BUILD/corpus/NAME.
#   seeds: run each seed once (a harness with a known, unfixed crash).
# A crash, a hang (-timeout), a leak or a UBSan report fails the run (exit
# 1; a harness that cannot run here exits 77, ctest's skip code); the
# input is saved as BUILD/crashes/NAME-crash-<sha1> (or leak-, timeout-,
# oom-) and can be replayed with `HARNESS FILE`.
set -euo pipefail

mode=$1 harness=$2 seeds=$3 build=$4 seconds=${FUZZ_SECONDS:-$5}
shift 5
name=$(basename "$harness" _fuzz)
corpus=$build/corpus/$name
mkdir -p "$corpus" "$build/crashes"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# Every failure exits 1 (libFuzzer's default, 77, is ctest's skip code:
# a harness exits 77 itself only when it cannot run here).
flags=(-error_exitcode=1 -timeout=10 -rss_limit_mb=2048
  -artifact_prefix="$build/crashes/$name-")
if [ "$mode" = seeds ]; then
  exec "$harness" "${flags[@]}" "$@" "$seeds"/*
fi
exec "$harness" "${flags[@]}" -max_total_time="$seconds" \
  -print_final_stats=1 "$@" "$corpus" "$seeds"
