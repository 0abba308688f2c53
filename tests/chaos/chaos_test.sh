#!/usr/bin/env bash
# A bounded chaos test of the whole service on 127.0.0.1: a real
# wasmhpc-head (its data dir on a 20 MiB tmpfs when root, else a temp dir)
# and a pool of 4 ranks under mpirun, while a background loop submits small
# jobs (hello.wasm, pi.wasm on 1-2 ranks) one after another and records
# every job id the head accepted. One at a time, with the loop running:
#  1. kill -9 an executor rank (the pool dies with it; it is restarted),
#  2. kill -9 the pool's rank 0 (restarted),
#  3. kill -9 the head (restarted on the same data dir and ports),
#  4. fill the disk (submits are refused with RESOURCE_EXHAUSTED) while
#     jobs queued on a drained pool wait; the pool resumes and runs them on
#     the full disk; then the disk is freed.
# Then the loop stops and the queue drains (at most 60 s). Invariants: every
# accepted job ends (SUCCEEDED, FAILED, CANCELLED or TIMED_OUT); every
# SUCCEEDED job's log holds its program's output; the modules uploaded
# before the faults are still listed with their digests; logs of jobs that
# succeeded before the head was killed are readable after its restart.
# usage: chaos_test.sh BUILD_DIR
# Exits 77 (skipped) when a binary, an example or mpirun is missing; without
# root (no tmpfs) only the full-disk step is skipped.
set -u
build=$(cd "$1" && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for f in server/wasmhpc-head worker/pool/wasmhpc-worker \
  client-cli/wasmhpc-cli examples/hello.wasm examples/pi.wasm; do
  [ -e "$build/$f" ] || { echo "skipped: $build/$f is missing"; exit 77; }
done
command -v mpirun >/dev/null || { echo "skipped: no mpirun"; exit 77; }

work=$(mktemp -d /tmp/wasmhpc_chaos.XXXXXX)
data=$work/data
mounted=0
if [ "$(id -u)" = 0 ] && mkdir -p "$work/fs" &&
  mount -t tmpfs -o size=20m tmpfs "$work/fs"; then
  mounted=1
  data=$work/fs/data
fi
head_pid='' pool_pid='' loop_pid=''
cleanup() {
  touch "$work/stop"
  for pid in $loop_pid $pool_pid $head_pid; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [ -n "${WASMHPC_CHAOS_KEEP:-}" ]; then
    [ $mounted = 1 ] && cp -a "$work/fs/data" "$work/data-kept"
    echo "kept $work"
  fi
  [ $mounted = 1 ] && umount -l "$work/fs"
  [ -n "${WASMHPC_CHAOS_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
rest_port=$(free_port)
cli=("$build/client-cli/wasmhpc-cli" --server "127.0.0.1:$port")
started=$SECONDS
# shellcheck source-path=SCRIPTDIR source=../support/lib.sh
. "$(dirname "$0")/../support/lib.sh"  # pass, fail, check, wait_for
event() { echo "$(date +%T.%N) $*" >>"$work/events"; }
starts=0
start_head() {
  starts=$((starts + 1))
  "$build/server/wasmhpc-head" --grpc-port "$port" --rest-port "$rest_port" \
    --data-dir "$data" >"$work/head.$starts.log" 2>&1 &
  head_pid=$!
  wait_for 20 grep -q "REST on" "$work/head.$starts.log"
}
# active_pools: the ids of the pools the head lists as active with 4 ranks.
active_pools() {
  "${cli[@]}" --output json pools 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin).get("pools", []):
    if p.get("state") == "POOL_ACTIVE" and len(p.get("ranks", [])) == 4:
        print(p["id"])'
}
# pool_attached [OLD]: an active pool other than OLD is listed.
pool_attached() { active_pools | grep -vx -- "${1:-none}" | grep -q .; }
pool_id() { active_pools | head -1; }
pools=0
start_pool() {
  local old=${1:-none}
  pools=$((pools + 1))
  mpirun --oversubscribe --bind-to none -np 4 \
    "$build/worker/pool/wasmhpc-worker" --head "127.0.0.1:$port" \
    --code-key "$data/code.key" >"$work/pool.$pools.log" 2>&1 &
  pool_pid=$!
  wait_for 30 pool_attached "$old"
}
# rank_pid RANK: the pid of the pool's worker process of that MPI rank.
rank_pid() {
  local pid
  for pid in $(pgrep -P "$pool_pid"); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null |
      grep -qx "OMPI_COMM_WORLD_RANK=$1"; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}
# gone PID: the process has ended (reaped or a zombie of ours).
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:.*Z' "/proc/$1/status"; }

# state ID: the job's state, from the head.
state() {
  "${cli[@]}" --output json status "$1" 2>/dev/null |
    sed -n 's/^ "state": "\([A-Z_]*\)",$/\1/p'
}
terminal() { case "$(state "$1")" in SUCCEEDED | FAILED | CANCELLED | TIMED_OUT) return 0 ;; esac; return 1; }
# expected MODULE RANKS: a line SUCCEEDED output of the job must hold.
expected() {
  case $1 in
    hello) echo "hello from rank $(($2 - 1)) of $2" ;;
    pi) echo "pi is approximately 3.14159265358" ;;
  esac
}
# without_output FILE: " ID" for each job of FILE ("ID MODULE RANKS" lines)
# that SUCCEEDED without its program's output in its log.
without_output() {
  local id module ranks
  while read -r id module ranks; do
    [ "$(state "$id")" = SUCCEEDED ] || continue
    "${cli[@]}" logs "$id" 2>&1 | grep -qF "$(expected "$module" "$ranks")" ||
      printf ' %s' "$id"
  done <"$1"
}

# The loop: submits one job at a time (at most 400, until $work/stop) and
# waits up to 10 s for it to end; accepted ids go to $work/accepted as
# "ID MODULE RANKS", refusals (the head down, no pool, a full disk) to
# $work/refused.
submit_loop() {
  local n=0 module ranks id
  while [ ! -e "$work/stop" ] && [ $n -lt 400 ]; do
    n=$((n + 1))
    module=$([ $((n % 2)) = 0 ] && echo hello || echo pi)
    ranks=$((n % 3 == 0 ? 2 : 1))
    if id=$("${cli[@]}" submit "$build/examples/$module.wasm" --ranks "$ranks" \
      --detach 2>>"$work/refused"); then
      echo "$id $module $ranks" >>"$work/accepted"
      event "accepted $id"
      for ((i = 0; i < 50; i++)); do terminal "$id" && break; sleep 0.2; done
    else
      sleep 0.2
    fi
  done
}
accepted() { [ -f "$work/accepted" ] && wc -l <"$work/accepted" || echo 0; }
# progress NAME: a job accepted after this point succeeds within 30 s.
progress() {
  local before
  before=$(accepted)
  for ((t = 0; t < 300; t++)); do
    if [ "$(accepted)" -gt "$before" ]; then
      local id
      while read -r id _; do
        [ "$(state "$id")" = SUCCEEDED ] && { pass "$1"; return 0; }
      done < <(tail -n +"$((before + 1))" "$work/accepted")
    fi
    sleep 0.1
  done
  fail "$1: no job accepted after it succeeded within 30 s"
}

start_head || { echo "FAIL head-starts: $(cat "$work"/head.*.log)"; exit 1; }
start_pool || { echo "FAIL pool-attaches: $(cat "$work"/pool.*.log)"; exit 1; }
declare -A digests
for module in hello pi; do
  digests[$module]=$("${cli[@]}" modules push "$build/examples/$module.wasm")
  [[ ${digests[$module]} == sha256:* ]] ||
    { echo "FAIL modules-push: $module: '${digests[$module]}'"; exit 1; }
done
submit_loop &
loop_pid=$!
progress jobs-run-before-the-faults

# 1. An executor rank killed: mpirun ends the pool; a new one attaches.
restart_pool_after_kill() {
  local rank=$1 name=$2 old pid
  old=$(pool_id)
  if ! pid=$(rank_pid "$rank"); then
    fail "$name: no worker of rank $rank under mpirun $pool_pid"
    return
  fi
  event "kill -9 rank $rank"
  kill -9 "$pid"
  if ! wait_for 20 gone "$pool_pid"; then
    fail "$name: mpirun did not end within 20 s after rank $rank was killed"
    kill -9 "$pool_pid" 2>/dev/null
  fi
  wait "$pool_pid" 2>/dev/null
  start_pool "$old" || fail "$name: a new pool did not attach within 30 s"
  progress "$name"
}
restart_pool_after_kill 2 executor-rank-killed
restart_pool_after_kill 0 rank-0-killed

# 3. The head killed: restarted on the same data dir and ports.
cp "$work/accepted" "$work/before-head-kill"
event "kill -9 head"
kill -9 "$head_pid"
wait "$head_pid" 2>/dev/null
start_head || fail "head-restarts: $(cat "$work/head.$starts.log")"
if ! wait_for 30 pool_attached; then
  # The pool gave up on the head: a new one.
  kill -9 "$pool_pid" 2>/dev/null
  wait "$pool_pid" 2>/dev/null
  start_pool || fail "head-killed: no pool attached within 30 s"
fi
progress head-killed
# Logs of jobs that succeeded before the kill are still there.
lost=$(without_output "$work/before-head-kill")
check logs-survive-a-head-restart "${lost:+no output for$lost}"

# 4. A full disk: uploads and submits are refused, then work resumes. Jobs
# queued on a drained pool before the disk filled run while it is full.
if [ $mounted = 1 ]; then
  pool=$(pool_id)
  "${cli[@]}" pools drain "$pool" >/dev/null
  for ranks in 1 2; do
    id=$("${cli[@]}" submit "$build/examples/hello.wasm" --ranks $ranks --detach) &&
      echo "$id hello $ranks" >>"$work/accepted" && queued="${queued:-} $id"
  done
  event "disk fill"
  dd if=/dev/zero of="$work/fs/ballast" bs=64k 2>/dev/null
  out=$("${cli[@]}" submit "$build/examples/hello.wasm" --ranks 1 --detach 2>&1)
  if grep -q RESOURCE_EXHAUSTED <<<"$out"; then
    pass full-disk-refuses-submits
  else
    fail "full-disk-refuses-submits: got '$out'"
    [[ $out == job-* ]] && echo "$out hello 1" >>"$work/accepted"
  fi
  out=$("${cli[@]}" pools resume "$pool" 2>&1) ||
    fail "pool-resumes-on-a-full-disk: $out"
  ended() { for id in $queued; do terminal "$id" || return 1; done; }
  wait_for 15 ended || fail "queued-jobs-end-on-a-full-disk:$queued did not end in 15 s"
  rm -f "$work/fs/ballast"
  event "disk freed"
  progress full-disk-freed
else
  echo "skip full-disk: needs root to mount a tmpfs"
fi

# Drain: the loop stops; every accepted job ends within 60 s.
touch "$work/stop"
wait "$loop_pid"
loop_pid=''
open=''
for ((t = 0; t < 60; t++)); do
  open=''
  while read -r id _; do terminal "$id" || open="$open $id:$(state "$id")"; done <"$work/accepted"
  [ -z "$open" ] && break
  sleep 1
done
check "accepted-jobs-all-ended ($(accepted) jobs)" \
  "${open:+not ended after 60 s:$open}"
bad=$(without_output "$work/accepted")
if [ -z "$bad" ]; then
  pass succeeded-jobs-have-their-output
else
  fail "succeeded-jobs-have-their-output: missing in$bad"
  for id in $bad; do
    grep "^$id " "$work/accepted"
    "${cli[@]}" status "$id"
    echo "log of $id:"
    "${cli[@]}" logs "$id"
  done
fi
listed=$("${cli[@]}" modules ls 2>&1)
missing=''
for module in hello pi; do
  grep -qF -- "${digests[$module]} " <<<"$listed" || missing="$missing $module"
done
check modules-still-listed "${missing:+lost$missing in: $listed}"
states=$(while read -r id _; do state "$id"; done <"$work/accepted" | sort | uniq -c | tr -s ' \n' ' ')
# Why jobs failed (kills end the jobs on a pool; the head's restart those
# it ran), for whoever reads a failure.
while read -r id _; do
  [ "$(state "$id")" = FAILED ] &&
    "${cli[@]}" --output json status "$id" | sed -n 's/^ "reason": "\([^"]\{0,60\}\).*/  failed: \1/p'
done <"$work/accepted" | sort | uniq -c
echo "jobs accepted: $(accepted) ($states); refused submits: $(grep -c . "$work/refused" 2>/dev/null || echo 0); $((SECONDS - started)) s"
echo "$failures failed"
[ $failures -eq 0 ]
