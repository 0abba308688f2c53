#!/usr/bin/env python3
"""Launch latency and throughput through the head, for bench.py (and
runnable alone).

One local service for the whole section: deploy/local/start.sh starts a head
(free port) and a pool of POOL_RANKS ranks (rank 0 controls, the others run
jobs), so the widest job (16 ranks) fits; deploy/local/stop.sh ends both.

  bench_launch(build, reps, report) -> {ranks: {variant: (first_ms, done_ms)}}
      The trivial MPI program (bench/launch/trivial.c) at 1, 4 and 16 ranks,
      four ways, alternating within each repetition:
        NATIVE     mpirun -np N ./trivial
        COLD       mpirun -np N wasmhpc-run trivial.wasm (code cache warm)
        WARM_GRPC  a job on the warm pool, wasmhpc-head-bench (gRPC)
        WARM_CLI   a job on the warm pool, wasmhpc-cli submit
      Two times each, in ms from "just before submit or launch": to the
      first guest instruction (the program's first action stamps
      CLOCK_REALTIME, the ranks' latest stamp is printed) and to completion
      (mpirun or the CLI exited; the gRPC client got the final state).
      Target: the warm pool reaches the first instruction >= 20x sooner
      than mpirun wasmhpc-run. Also rows for starting the pool and its first
      job (module fetched by every executor); pool_bench.py measures what
      an idle pool costs. Returns the medians plots.write_plots expects.
  bench_throughput(build, reps, report)
      1-rank trivial jobs through the head on the warm pool: jobs completed
      per second with CLIENTS gRPC client threads (each submits its next
      job when its last one ended), p50/p99 submit-to-completion latency,
      and jobs per second through CLI_PROCS parallel `wasmhpc-cli submit`
      loops. Target >= 200 jobs/s. A lost job (no end within 60 s) is
      reported in the row, never retried.

Both take the service from `with LocalService(build) as service:`, which
the two share in bench.py.

usage: launch_bench.py [BUILD_DIR] [--reps N]   (prints the markdown)
"""
import concurrent.futures
import os
import statistics
import subprocess
import sys
import tempfile
import time

from report import ENV, MPIRUN, Report, spread

DEPLOY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                      "deploy", "local")
RANKS = (1, 4, 16)
POOL_RANKS = max(RANKS) + 1
NATIVE, COLD = "mpirun native", "mpirun wasmhpc-run"
WARM_GRPC, WARM_CLI = "warm pool, gRPC client", "warm pool, wasmhpc-cli submit"
VARIANTS = (NATIVE, COLD, WARM_GRPC, WARM_CLI)
TARGET_SPEEDUP = 20  # warm pool vs mpirun wasmhpc-run, to first instruction
TARGET_JOBS_PER_S = 200
CLIENTS = 16         # gRPC client threads: one job in flight per executor
THROUGHPUT_JOBS = 2000
CLI_PROCS = 4
CLI_JOBS = 200


class LocalService:
    """A head and a pool of `ranks` ranks (rank 0 controls), via
    deploy/local/start.sh and stop.sh, in a temporary state directory.
    Attributes: ranks, server ("127.0.0.1:PORT"), start_seconds, digest (of
    trivial.wasm, uploaded), pool_pid (mpirun's)."""

    def __init__(self, build, ranks=POOL_RANKS):
        self.build = os.path.abspath(build)
        self.ranks = ranks
        self.state = tempfile.mkdtemp(prefix="wasmhpc-bench-")
        self.env = dict(ENV, WASMHPC_STATE=self.state, WASMHPC_PORT="0",
                        WASMHPC_REST_PORT="off",
                        WASMHPC_POOL_RANKS=str(ranks))

    def __enter__(self):
        started = time.monotonic()
        out = subprocess.run([f"{DEPLOY}/start.sh", self.build],
                             env=self.env, capture_output=True, text=True)
        self.start_seconds = time.monotonic() - started
        if out.returncode != 0:
            self.__exit__(None, None, None)
            raise RuntimeError(f"start.sh failed: {out.stdout}{out.stderr}")
        # "wasmhpc: head on 127.0.0.1:PORT, pool of ..."
        self.server = out.stdout.split("head on ", 1)[1].split(",", 1)[0]
        with open(f"{self.state}/pool.pid") as f:
            self.pool_pid = int(f.read())
        self.digest = subprocess.run(
            self.cli() + ["modules", "push", self.wasm()], check=True,
            capture_output=True, text=True, env=ENV).stdout.strip()
        return self

    def __exit__(self, *exc):
        subprocess.run([f"{DEPLOY}/stop.sh", self.build], env=self.env,
                       capture_output=True)
        subprocess.run(["rm", "-rf", self.state])

    def cli(self):
        return [f"{self.build}/client-cli/wasmhpc-cli", "--server",
                self.server]

    def wasm(self):
        return f"{self.build}/bench/trivial.wasm"

    def job(self, module, ranks, *args):
        """The command that runs a module as a job of `ranks` ranks on the
        pool and prints its output (the CLI uploads the module if new)."""
        return self.cli() + ["submit", module, "-n", str(ranks), "--", *args]

    def head_bench(self, *args):
        return [f"{self.build}/bench/wasmhpc-head-bench", "--server",
                self.server, "--module", self.digest, *args]


def _first_instruction_ns(stdout, cmd):
    """The ranks' latest first-instruction stamp from trivial's output."""
    for line in stdout.splitlines():
        fields = line.split()
        if fields[:1] == ["first_instruction_ns"]:
            return int(fields[2])
    raise RuntimeError(f"no first_instruction_ns line from {cmd}: {stdout}")


def _timed_launch(cmd):
    """(first-instruction ms, completion ms) of a process that runs the
    program: from just before starting it to its stamp, and to its exit."""
    submitted = time.time_ns()
    out = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    done = time.time_ns()
    if out.returncode != 0:
        raise RuntimeError(f"{cmd} exited {out.returncode}: {out.stderr}")
    first = _first_instruction_ns(out.stdout, cmd)
    return (first - submitted) / 1e6, (done - submitted) / 1e6


def timed_grpc_job(service, ranks):
    """The same for one job through wasmhpc-head-bench: its own submit
    stamp, the guest's, and the final state's arrival."""
    cmd = service.head_bench("latency", "--ranks", str(ranks))
    out = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    words = out.stdout.split()
    if out.returncode != 0 or "submit_ns" not in words:
        raise RuntimeError(f"{cmd}: {out.stdout}{out.stderr}")
    value = lambda key, n=1: int(words[words.index(key) + n])  # noqa: E731
    if words[words.index("state") + 1] != "SUCCEEDED":
        raise RuntimeError(f"{cmd}: {out.stdout}")
    submitted = value("submit_ns")
    return ((value("first_ns", 2) - submitted) / 1e6,
            (value("ended_ns") - submitted) / 1e6)


def _launchers(build, service, cache):
    runner = f"{build}/worker/wasmhpc-run"
    return {
        NATIVE: lambda n: _timed_launch(
            MPIRUN + ["-np", str(n), f"{build}/bench/trivial"]),
        COLD: lambda n: _timed_launch(
            MPIRUN + ["-np", str(n), runner, "--cache", cache,
                      service.wasm()]),
        WARM_GRPC: lambda n: timed_grpc_job(service, n),
        WARM_CLI: lambda n: _timed_launch(
            service.cli() + ["submit", service.wasm(), "--ranks", str(n)]),
    }


def bench_launch(build, reps, report, service):
    report.rows.append((f"pool of {POOL_RANKS} ranks: start.sh until "
                        "attached (s)", "", f"{service.start_seconds:.2f}",
                        "", "", ""))
    with tempfile.TemporaryDirectory() as cache:
        launch = _launchers(build, service, cache)
        # The pool's first job: every executor fetches and loads the module.
        first_job = launch[WARM_GRPC](max(RANKS))[1]
        report.rows.append((f"first {max(RANKS)}-rank job on the fresh pool, "
                            "module not yet loaded: submit to completion "
                            "(ms)", "", f"{first_job:.1f}", "", "", ""))
        for n in RANKS:  # warm: code cache, executors' module caches
            for variant in VARIANTS:
                launch[variant](n)
        times = {n: {v: [] for v in VARIANTS} for n in RANKS}
        for _ in range(reps):
            for n in RANKS:
                for variant in VARIANTS:
                    times[n][variant].append(launch[variant](n))
    medians = {}
    for n in RANKS:
        _launch_rows(report, n, times[n])
        medians[n] = {v: tuple(statistics.median(t[i] for t in times[n][v])
                               for i in (0, 1)) for v in VARIANTS}
    return medians


def _launch_rows(report, n, times):
    label = f"launch {n} rank{'s' if n > 1 else ''}"
    target = lambda r, cold, warm: cold >= TARGET_SPEEDUP * warm  # noqa: E731
    for index, what in ((0, "submit to first instruction"),
                        (1, "submit to completion")):
        col = {v: [t[index] for t in times[v]] for v in VARIANTS}
        report.add(f"{label}, {what} (ms): native vs wasmhpc-run, both "
                   "mpirun", col[NATIVE], col[COLD], "{:.1f}")
        for variant in (WARM_GRPC, WARM_CLI):
            report.add(f"{label}, {what} (ms): {COLD} vs {variant}",
                       col[COLD], col[variant],
                       "{:.1f}", target=target if index == 0 else None)


def _cli_throughput(service):
    """Jobs per second through CLI_PROCS parallel `wasmhpc-cli submit`
    loops, CLI_JOBS jobs in all."""
    cmd = service.cli() + ["submit", service.wasm(), "--ranks", "1"]
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(CLI_PROCS) as pool:
        codes = list(pool.map(
            lambda _: subprocess.run(cmd, capture_output=True,
                                     env=ENV).returncode, range(CLI_JOBS)))
    seconds = time.monotonic() - started
    if any(codes):
        raise RuntimeError(f"{cmd}: exit codes {sorted(set(codes))}")
    return CLI_JOBS / seconds


def _grpc_throughput(service):
    """{field: value} of one wasmhpc-head-bench throughput line."""
    cmd = service.head_bench("throughput", "--jobs", str(THROUGHPUT_JOBS),
                             "--clients", str(CLIENTS))
    out = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    words = out.stdout.split()
    if words[:1] != ["throughput"]:
        raise RuntimeError(f"{cmd}: {out.stdout}{out.stderr}")
    result = {k: float(v) for k, v in zip(words[1::2], words[2::2])}
    result["stderr"] = out.stderr
    return result


def bench_throughput(build, reps, report, service):
    runs, cli = [], []
    for _ in range(reps):
        runs.append(_grpc_throughput(service))
        cli.append(_cli_throughput(service))
    jobs_per_s = [r["jobs_per_s"] for r in runs]
    problems = sum(r["failed"] + r["lost"] for r in runs)
    note = f", {problems:.0f} failed or lost" if problems else ""
    title = (f"1-rank jobs through the head, warm pool of {POOL_RANKS - 1} "
             "executors")
    median = statistics.median(jobs_per_s)
    report.rows.append((f"throughput: {title}, {CLIENTS} gRPC client "
                        f"threads (jobs/s{note})", "", f"{median:.1f}", "",
                        spread(jobs_per_s, "{:.1f}"),
                        "PASS" if median >= TARGET_JOBS_PER_S else "MISS"))
    for key, name in (("p50_ms", "p50"), ("p99_ms", "p99")):
        values = [r[key] for r in runs]
        report.rows.append((f"throughput: {title}, submit to completion "
                            f"{name} under load (ms)", "",
                            f"{statistics.median(values):.1f}", "",
                            spread(values, "{:.1f}"), ""))
    report.rows.append((f"throughput: {title}, {CLI_PROCS} parallel "
                        "`wasmhpc-cli submit` loops (jobs/s)", "",
                        f"{statistics.median(cli):.1f}", "",
                        spread(cli, "{:.1f}"), ""))
    for r in runs:
        if r["stderr"]:
            print(r["stderr"], file=sys.stderr)


def main(argv):
    build = argv[1] if len(argv) > 1 and not argv[1].startswith("--") \
        else "build"
    reps = int(argv[argv.index("--reps") + 1]) if "--reps" in argv else 3
    report = Report()
    started = time.time()
    with LocalService(build) as service:
        launch = bench_launch(build, reps, report, service)
        bench_throughput(build, reps, report, service)
    print(report.markdown(f"# wasmhpc launch and throughput bench ({reps} "
                          f"alternating repetitions, "
                          f"{time.time() - started:.0f} s)"))
    try:
        from plots import write_plots
        print(write_plots({"launch": launch}, "bench/results"))
    except ImportError as e:
        print(f"no plots ({e}): install python3-matplotlib")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
