#!/usr/bin/env python3
"""Ping-pong between two hosts, Wasm vs native: one rank on each of two
network namespaces joined by a bridge (tests/multihost/netns_hosts), Open
MPI over TCP with the settings of tests/multihost/multihost_test.sh.
examples/pingpong natively and examples/pingpong.wasm under wasmhpc-run,
alternately, `reps` times each, over the same pair of namespaces.

Rows: the half round trip at a few sizes (medians over the repetitions),
the geometric-mean slowdown over all sizes and the Wasm overhead at 8 B.
Where network namespaces cannot be made (not root), one row says so and
the bench goes on.

From bench.py:
    from multihost_bench import bench_multihost
    bench_multihost(build, reps, report)

Standalone (prints the table):
    python3 bench/multihost_bench.py [BUILD_DIR] [--reps N]
"""
import math
import os
import statistics
import subprocess
import sys
import time

from report import Report, pingpong_table

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                     "tests", "multihost")
NET = "10.77.0"
ROW_SIZES = (0, 8, 1024, 65536, 1 << 20, 4 << 20)
LABEL = "pingpong across 2 netns hosts (TCP)"


class NetnsHosts:
    """Two hosts of netns_hosts for the duration of a `with`; `up` is the
    reason they could not be made, else None."""

    def __init__(self, count):
        self.prefix = f"whpc-bench-{os.getpid()}"
        self.count = count
        self.script = os.path.join(TOOLS, "netns_hosts")

    def __enter__(self):
        out = subprocess.run([self.script, "up", self.prefix,
                              str(self.count)], capture_output=True,
                             text=True, env=dict(os.environ,
                                                 WASMHPC_NETNS_NET=NET))
        self.up = None if out.returncode == 0 else (
            out.stderr.strip() or f"netns_hosts exited {out.returncode}")
        return self

    def __exit__(self, *exc):
        subprocess.run([self.script, "down", self.prefix])

    def mpirun(self, program):
        """The command running `program` (a list) as 2 ranks, rank 0 on
        host 1 (where mpirun runs) and rank 1 on host 2."""
        subnet = f"{NET}.0/24"
        return [self.script, "exec", self.prefix, "1",
                "env", f"WASMHPC_NETNS_PREFIX={self.prefix}",
                f"WASMHPC_NETNS_NET={NET}",
                "timeout", "-k", "5", "120",
                "mpirun", "--bind-to", "none", "--leave-session-attached",
                "--mca", "plm_rsh_agent", os.path.join(TOOLS, "netns_rsh"),
                "--mca", "plm_rsh_no_tree_spawn", "1",
                "--mca", "btl", "tcp,self", "--mca", "pml", "ob1",
                "--mca", "btl_tcp_if_include", subnet,
                "--mca", "oob_tcp_if_include", subnet,
                "--host", f"{NET}.1:1,{NET}.2:1", "-np", "2"] + program


def size_label(nbytes):
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= scale and nbytes % scale == 0:
            return f"{nbytes // scale} {unit}"
    return f"{nbytes} B"


def bench_multihost(build, reps, report):
    """Adds the rows to report.Report; returns {bytes: (native us, wasm
    us)} medians, or None when skipped."""
    exe = f"{build}/examples/pingpong"
    module = f"{build}/examples/pingpong.wasm"
    runner = f"{build}/worker/wasmhpc-run"
    with NetnsHosts(2) as hosts:
        if hosts.up is not None:
            why = f"skipped: cannot create network namespaces: {hosts.up}"
            print(f"multihost bench {why}", file=sys.stderr)
            report.rows.append((LABEL, "", why, "", "", ""))
            return None
        native, wasm = [], []
        for _ in range(reps):
            native.append(pingpong_table(hosts.mpirun([exe])))
            wasm.append(pingpong_table(hosts.mpirun([runner, module])))
    ratios = []
    medians = {}
    for size in sorted(native[0]):
        n = [t[size] for t in native]
        w = [t[size] for t in wasm]
        medians[size] = (statistics.median(n), statistics.median(w))
        ratios.append(medians[size][1] / medians[size][0])
        if size in ROW_SIZES:
            report.add(f"{LABEL}, {size_label(size)} half round trip (us)",
                       n, w, "{:.3f}")
    gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    report.rows.append((f"{LABEL}, geometric-mean slowdown over "
                        f"{len(ratios)} sizes, 0 B..4 MiB", "", "",
                        f"{gm:.3f}", "", ""))
    overhead_ns = 1000 * (medians[8][1] - medians[8][0])
    report.rows.append((f"{LABEL}, Wasm overhead at 8 B (ns)", "", "",
                        f"{overhead_ns:+.0f}", "", ""))
    return medians


def main(argv):
    build = argv[1] if len(argv) > 1 and not argv[1].startswith("--") \
        else "build"
    reps = int(argv[argv.index("--reps") + 1]) if "--reps" in argv else 5
    report = Report()
    started = time.time()
    bench_multihost(build, reps, report)
    print(report.markdown(f"# wasmhpc multi-host bench ({os.cpu_count()} "
                          f"cores, {reps} alternating repetitions, "
                          f"{time.time() - started:.0f} s)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
