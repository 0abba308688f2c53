#!/usr/bin/env bash
# deploy/slurm/wasmhpc-pool.sbatch on a real one-node Slurm: a private
# munged, slurmctld and slurmd (all files in a temp dir, ports free on
# loopback) and a wasmhpc-head. Four pools are submitted with sbatch, one
# after the other:
#   drain:      the pool attaches as slurm-JOBID and runs a job; a second
#               job is running when `scancel --batch --signal=USR1` drains
#               the pool: the job finishes, the head logs "pool ID detached",
#               the pool leaves `pools`, the Slurm job ends COMPLETED, 0:0.
#   head-drain: `wasmhpc-cli pools drain ID --detach` ends the Slurm job
#               the same way.
#   kill:       `scancel` ends the allocation under an endless job: the job
#               ends FAILED, "worker pool lost", the pool leaves `pools`.
#   time-limit: --signal=B:USR1@50 with --time=1 drains the pool like the
#               script's own --signal line does before its time limit.
# usage: slurm_test.sh BUILD_DIR
# Exits 77 (skipped) when not root or Slurm/munge are not installed
# (deploy/local/install-deps.sh installs them).
set -u
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)

skip() {
  echo "skipped: $*"
  exit 77
}
[ "$(id -u)" -eq 0 ] ||
  skip "needs root (slurmd and munged run here as root, as SlurmUser)"
PATH=$PATH:/usr/sbin:/sbin  # slurmctld, slurmd, munged
for tool in slurmctld slurmd sbatch scancel squeue sinfo munged mungekey \
  mpirun; do
  command -v "$tool" >/dev/null ||
    skip "$tool is not installed (deploy/local/install-deps.sh installs it)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wasmhpc-slurm.XXXXXX")
chmod 755 "$tmp"  # munged wants its socket's directory open to all
export SLURM_CONF=$tmp/slurm.conf
cli=("$build/client-cli/wasmhpc-cli")
daemons=()  # pids of what this script started, stopped in reverse order

# Every exit path: the Slurm jobs first (slurmd ends their processes), then
# the daemons, then the temp dir.
cleanup() {
  trap - EXIT
  trap '' INT TERM HUP PIPE  # a closed stdout or a second ^C: clean up anyway
  head_pid=""
  if [ -n "$(jobs_of_ours)" ]; then
    scancel --signal=KILL $(jobs_of_ours) 2>/dev/null
    wait_for 30 "the Slurm jobs ending" test -z "$(jobs_of_ours)"
  fi
  local i
  for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
    kill "${daemons[i]}" 2>/dev/null
  done
  for pid in "${daemons[@]}"; do
    wait_for 10 "pid $pid ending" not_running "$pid" || kill -9 "$pid"
  done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
for signal in INT:130 TERM:143 HUP:129 PIPE:141; do
  trap "exit ${signal#*:}" "${signal%:*}"
done

# jobs_of_ours: Slurm job ids still pending or running on our cluster.
jobs_of_ours() {
  [ -f "$SLURM_CONF" ] && squeue -h -o %i 2>/dev/null | paste -sd' ' -
}
not_running() { ! kill -0 "$1" 2>/dev/null; }

# wait_for SECONDS DESCRIPTION command...: polls until the command succeeds;
# gives up at once when the head has exited.
wait_for() {
  local seconds=$1 what=$2 i
  shift 2
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    if [ -n "${head_pid:-}" ] && not_running "$head_pid"; then
      echo "the head exited while waiting for $what"
      return 1
    fi
    sleep 0.1
  done
  echo "timeout: $what did not happen within ${seconds}s"
  return 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# show_logs: the ends of the logs, after a failure.
show_logs() {
  local log
  for log in "$tmp"/*.log "$tmp"/pool-*.out "$tmp"/slurm*.out; do
    [ -f "$log" ] || continue
    # slurmctld -D and slurmd -D write their log to stderr too.
    case "$log" in *.out) [ -f "${log%.out}.log" ] && continue ;; esac
    echo "--- $log"
    tail -n 30 "$log"
  done
}

fatal() {
  echo "FAIL $*"
  show_logs
  exit 1
}

failures=0
# check NAME 'WHAT' command...: one named check; WHAT (single-quoted, so that
# its $(...) runs only after a failure) says what was found instead.
check() {
  local name=$1 what=$2
  shift 2
  if "$@"; then
    echo "ok   $name"
  else
    eval "echo \"FAIL $name: $what\""
    failures=$((failures + 1))
  fi
}

start_munge() {
  mungekey --create --keyfile="$tmp/munge.key" || fatal "mungekey"
  munged --foreground --socket="$tmp/munge.socket" \
    --key-file="$tmp/munge.key" --pid-file="$tmp/munged.pid" \
    --seed-file="$tmp/munged.seed" --log-file="$tmp/munged.log" \
    >/dev/null 2>&1 &
  daemons+=($!)
  wait_for 10 "munged starting" test -S "$tmp/munge.socket" ||
    fatal "munged did not start"
}

# write_slurm_conf: one node (this machine's CPUs, as slurmd -C sees them),
# one partition, no cgroups, no accounting, every file inside $tmp.
write_slurm_conf() {
  local cpus
  cpus=$(slurmd -C | sed -n '1s/^NodeName=[^ ]* \(.*\) RealMemory=.*/\1/p')
  [ -n "$cpus" ] || fatal "slurmd -C printed no node line"
  mkdir -p "$tmp/state" "$tmp/spool"
  : >"$tmp/plugstack.conf"
  cat >"$SLURM_CONF" <<EOF
ClusterName=wasmhpc-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
PlugStackConfig=$tmp/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
# After SIGTERM a job has KillWait seconds before SIGKILL.
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 $cpus State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

start_slurm() {
  slurmctld -D -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
  daemons+=($!)
  slurmd -D -f "$SLURM_CONF" -N localhost >"$tmp/slurmd.out" 2>&1 &
  daemons+=($!)
  wait_for 30 "the node idle" sh -c 'sinfo -h -n localhost -o %T | grep -qx idle' ||
    fatal "slurm did not come up"
}

start_head() {
  "$build/server/wasmhpc-head" --grpc-port 0 --rest-port off \
    --data-dir "$tmp/head" >"$tmp/head.log" 2>&1 &
  head_pid=$!
  daemons+=($head_pid)
  wait_for 20 "head listening" grep -q "listening on" "$tmp/head.log" ||
    fatal "the head did not start"
  port=$(sed -n 's/^wasmhpc-head: listening on .*:\([0-9]*\)$/\1/p' "$tmp/head.log")
  cli+=(--server "127.0.0.1:$port")
}

# submit_pool [SBATCH_OPTION...]: sbatch's job id; a pool of 3 ranks (2 run
# jobs) on the machine's 2 CPUs (--overcommit), as root (the OMPI_*
# variables).
submit_pool() {
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    WASMHPC_POOL="$top/deploy/pool/wasmhpc-pool" \
    WASMHPC_WORKER="$build/worker/pool/wasmhpc-worker" \
    WASMHPC_CLI="$build/client-cli/wasmhpc-cli" \
    TMPDIR="$tmp" WASMHPC_CODE_KEY="$tmp/head/code.key" \
    sbatch --parsable --export=ALL,WASMHPC_HEAD=127.0.0.1:$port \
    --ntasks=3 --overcommit --time=5 --chdir="$tmp" \
    --output="$tmp/pool-%j.out" "$@" "$top/deploy/slurm/wasmhpc-pool.sbatch"
}

pools_json() { "${cli[@]}" --output json pools; }
pool_listed() { pools_json | grep -q "\"slurm-$1\""; }
# pool_gone ID: the head lists no pool ID (a FAILED record that wasmhpc-pool
# reports after mpirun failed has no id).
pool_gone() { pools_json >/dev/null && ! pools_json | grep -q "\"$1\""; }
# pool_id JOB: the head's id of pool slurm-JOB.
pool_id() {
  sed -n "s/.*pool \([^ ]*\) (slurm-$1) attached.*/\1/p" "$tmp/head.log" |
    tail -n 1
}
# slurm_state JOB: PENDING, RUNNING, COMPLETED, CANCELLED, ...
slurm_state() { squeue -h -j "$1" -t all -o %T 2>/dev/null; }
slurm_ended() { case "$(slurm_state "$1")" in PENDING | RUNNING | CONFIGURING | COMPLETING | "") return 1 ;; esac; }
slurm_exit_code() { scontrol show job "$1" | sed -n 's/.* ExitCode=\([^ ]*\).*/\1/p'; }
# job_state ID: the head's state of a wasmhpc job.
job_state() { "${cli[@]}" --output json status "$1" | sed -n 's/.*"state": *"\([A-Z_]*\)".*/\1/p'; }
job_running() { [ "$(job_state "$1")" = RUNNING ]; }
job_succeeded() { [ "$(job_state "$1")" = SUCCEEDED ]; }
job_ended() { case "$(job_state "$1")" in QUEUED | RUNNING | "") return 1 ;; esac; }

# attach JOB: waits for pool slurm-JOB in `pools`.
attach() {
  wait_for 60 "pool slurm-$1 attaching" pool_listed "$1" ||
    fatal "pool slurm-$1 did not attach (Slurm job $(slurm_state "$1"))"
  echo "ok   pool slurm-$1 attached as $(pool_id "$1")"
}

# expect_detached CASE JOB POOL_ID: the pool drained and detached cleanly,
# every rank exited 0, and the Slurm job ended COMPLETED.
expect_detached() {
  local case=$1 job=$2 id=$3
  check "$case-ends-the-slurm-job" 'Slurm job $job $(slurm_state "$job")' \
    wait_for 70 "Slurm job $job ending" slurm_ended "$job"
  check "$case-slurm-job-completed" 'Slurm job $job $(slurm_state "$job"), exit code $(slurm_exit_code "$job") (want COMPLETED, 0:0)' \
    eval '[ "$(slurm_state "$job")" = COMPLETED ] && [ "$(slurm_exit_code "$job")" = 0:0 ]'
  check "$case-pool-detached" 'no line pool $id detached in the head log' \
    grep -q "pool $id detached" "$tmp/head.log"
  check "$case-pool-not-lost" 'the head log says pool $id lost' \
    eval '! grep -q "pool $id lost" "$tmp/head.log"'
  check "$case-pool-gone" 'pool $id still in pools: $(pools_json)' \
    wait_for 10 "pool $id leaving pools" pool_gone "$id"
  check "$case-no-failure-report" 'pools lists slurm-$job: $(pools_json)' \
    eval '! pool_listed "$job"'
}

# A job runs to completion on the pool; a second one is running when
# `scancel --batch --signal=USR1` (the operator's drain) arrives: it finishes,
# then the pool detaches.
case_scancel_drain() {
  local job id out code wjob
  job=$(submit_pool) || fatal "sbatch"
  attach "$job"
  id=$(pool_id "$job")
  out=$("${cli[@]}" submit "$build/examples/hello.wasm" --ranks 2 2>&1)
  code=$?
  check hello-on-the-slurm-pool 'exit $code (want 0), output: $out' \
    eval '[ $code = 0 ] && grep -q "hello from rank 1 of 2" <<<"$out"'
  # One rank: the job runs a few seconds, so the drain below finds it
  # running even when the machine is busy (on 2 ranks it ran ~1.5 s and a
  # loaded CI run once polled past it).
  wjob=$("${cli[@]}" submit "$build/examples/pi.wasm" --ranks 1 --detach \
    -- 2000000000) || fatal "submit pi: $wjob"
  wait_for 60 "job $wjob running" job_running "$wjob" ||
    fatal "job $wjob is $(job_state "$wjob"), not RUNNING"
  scancel --batch --signal=USR1 "$job"
  wait_for 60 "job $wjob ending" job_ended "$wjob"
  check job-finishes-while-draining 'job $wjob $(job_state "$wjob")' \
    job_succeeded "$wjob"
  out=$("${cli[@]}" logs "$wjob" 2>&1)
  check job-output-while-draining 'logs: $out' \
    grep -q "3.14159265358" <<<"$out"
  expect_detached drain "$job" "$id"
}

# The head's side: `wasmhpc-cli pools drain ID --detach` ends the Slurm job
# as cleanly (the ranks exit 0, so do mpirun and the batch script).
case_head_drain() {
  local job id out code
  job=$(submit_pool) || fatal "sbatch"
  attach "$job"
  id=$(pool_id "$job")
  out=$("${cli[@]}" pools drain "$id" --detach --reason "slurm test" 2>&1)
  code=$?
  check pools-drain-detach 'exit $code: $out' test $code = 0
  expect_detached head-drain "$job" "$id"
}

# The time limit: Slurm's --signal=B:USR1@50 (the script's line with a
# shorter time) drains the pool before --time=1 runs out.
case_time_limit_drain() {
  local job id
  job=$(submit_pool --time=1 --signal=B:USR1@50) || fatal "sbatch"
  attach "$job"
  id=$(pool_id "$job")
  expect_detached time-limit "$job" "$id"
}

# Bad input: Slurm ends the allocation under a running (endless) job. A
# plain scancel sends SIGTERM to every process of the job (mpirun kills its
# ranks then), SIGKILL KillWait seconds later; on Slurm 22.05 `scancel
# --signal=KILL` does the same. The job fails with "worker pool lost" and
# the pool leaves `pools`.
case_kill() {
  local job id wjob status
  job=$(submit_pool) || fatal "sbatch"
  attach "$job"
  id=$(pool_id "$job")
  wjob=$("${cli[@]}" submit "$build/tests/pool/pool_guest.wasm" --ranks 2 \
    --detach -- spin) || fatal "submit spin: $wjob"
  wait_for 30 "job $wjob running" job_running "$wjob" ||
    fatal "job $wjob is $(job_state "$wjob"), not RUNNING"
  scancel "$job"
  check kill-ends-the-slurm-job 'Slurm job $job $(slurm_state "$job")' \
    wait_for 30 "Slurm job $job ending" slurm_ended "$job"
  check job-on-killed-pool-ends 'job $wjob $(job_state "$wjob")' \
    wait_for 30 "job $wjob ending" job_ended "$wjob"
  status=$("${cli[@]}" status "$wjob" 2>&1)
  check job-fails-with-pool-lost 'status: $status' \
    eval 'grep -q FAILED <<<"$status" && grep -q "worker pool lost" <<<"$status"'
  # The ranks see the TERM too: the controller may still fail its jobs and
  # detach ("detached (SIGTERM)"), or the head sees the stream end ("lost").
  check killed-pool-leaves 'no line pool $id lost/detached in the head log' \
    grep -Eq "pool $id (lost|detached)" "$tmp/head.log"
  check killed-pool-gone 'pool $id still in pools: $(pools_json)' \
    wait_for 10 "pool $id leaving pools" pool_gone "$id"
}

start_munge
write_slurm_conf
start_slurm
start_head
echo "ok   slurm and head up ($SECONDS s)"
case_scancel_drain
case_head_drain
case_kill
case_time_limit_drain
echo "$failures failed ($SECONDS s)"
[ $failures -eq 0 ] || show_logs
[ $failures -eq 0 ]
