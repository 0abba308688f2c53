#!/usr/bin/env bash
# make bench: Wasm vs native, measured in one invocation, alternating runs.
# Writes bench/results/latest.md. Not a test: it reports, it never fails on
# a slow number.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
reps=${BENCH_REPS:-5}
out=bench/results
mkdir -p "$out"
run="$build/worker/wasmhpc-run"

# Prints the seconds a kernel reports on its "time:" line.
kernel_time() { "$@" | awk '/^time:/ {print $2}'; }

# median of the numbers on stdin
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

declare -a native wasm_tf wasm_lo
size=${CG_SIZE:-64}
for ((i = 0; i < reps; i++)); do
  native+=("$(kernel_time "$build/bench/cg_serial" "$size")")
  wasm_tf+=("$(kernel_time "$run" --tier turbofan "$build/bench/cg_serial.wasm" "$size")")
  wasm_lo+=("$(kernel_time "$run" --tier liftoff "$build/bench/cg_serial.wasm" "$size")")
done
n=$(printf '%s\n' "${native[@]}" | median)
tf=$(printf '%s\n' "${wasm_tf[@]}" | median)
lo=$(printf '%s\n' "${wasm_lo[@]}" | median)
spread() { printf '%s\n' "$@" | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.4f-%.4f", lo, hi}'; }
{
  echo "# wasmhpc bench ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $reps reps, alternating)"
  echo
  echo "| metric | native | wasm | ratio (wasm/native) | spread native / wasm |"
  echo "|---|---|---|---|---|"
  printf '| CG serial n=%s solve time (s), TurboFan | %.4f | %.4f | %.3f | %s / %s |\n' \
    "$size" "$n" "$tf" "$(awk -v a="$tf" -v b="$n" 'BEGIN {print a / b}')" "$(spread "${native[@]}")" "$(spread "${wasm_tf[@]}")"
  printf '| CG serial n=%s solve time (s), Liftoff | %.4f | %.4f | %.3f | %s / %s |\n' \
    "$size" "$n" "$lo" "$(awk -v a="$lo" -v b="$n" 'BEGIN {print a / b}')" "$(spread "${native[@]}")" "$(spread "${wasm_lo[@]}")"
} > "$out/latest.md"
cat "$out/latest.md"
