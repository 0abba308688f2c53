# shellcheck shell=bash
# Shared by the end-to-end shell tests (tests/chaos, tests/multihost): a
# tally of checks and polling. Source it after `set -u`; `failures` counts
# the failed checks (end with `[ $failures -eq 0 ]`).
failures=0

# pass NAME: a check passed.
pass() { echo "ok   $1"; }
# fail NAME[: WHY]: a check failed (counted in $failures).
fail() {
  echo "FAIL $1"
  failures=$((failures + 1))
}
# check NAME WHY_NOT: pass when WHY_NOT is empty, else fail with it.
check() { if [ -z "$2" ]; then pass "$1"; else fail "$1: $2"; fi; }

# wait_for SECONDS COMMAND...: polls until the command succeeds (every
# 0.1 s, its output discarded); fails after SECONDS.
wait_for() {
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}
