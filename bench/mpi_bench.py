#!/usr/bin/env python3
"""MPI benchmarks, Wasm vs native: collectives at 4 ranks, the per-call
cost of cheap MPI calls (the bridge overhead), and one-sided
Put/Get/Accumulate latency and bandwidth at 2 ranks.

Programs: bench/mpi/collectives.c, call_overhead.c and rma.c, built by
bench/CMakeLists.txt into BUILD/bench/NAME (native) and NAME.wasm. Each
function runs native and Wasm alternately, `reps` times, and adds rows
(medians over the repetitions) to a report.Report.

From bench.py:
    from mpi_bench import bench_call_overhead, bench_collectives
    bench_collectives(build, reps, report)
    bench_call_overhead(build, reps, report)
    bench_rma(build, reps, report)

Standalone (prints the table; --per-size adds a row per op and size):
    python3 bench/mpi_bench.py [BUILD_DIR] [--reps N] [--per-size]
"""
import math
import statistics
import sys
import time

from report import MPIRUN, Report, run

COLLECTIVE_RANKS = 4
OVERHEAD_TARGET_NS = 50


def geomean(values):
    values = list(values)
    return math.exp(sum(math.log(v) for v in values) / len(values))


def size_label(nbytes):
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= scale and nbytes % scale == 0:
            return f"{nbytes // scale} {unit}"
    return f"{nbytes} B"


def collectives_table(cmd):
    """{(op, bytes): us per call} from bench/mpi/collectives output, in the
    program's order."""
    table = {}
    for line in run(cmd).splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[0].startswith("MPI_") and \
                fields[1].isdigit():
            table[(fields[0], int(fields[1]))] = float(fields[3])
    if not table:
        raise RuntimeError(f"no rows from {cmd}")
    return table


def call_overhead_table(cmd):
    """{call: ns per call} from bench/mpi/call_overhead output."""
    table = {}
    for line in run(cmd).splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0].startswith("MPI_"):
            table[fields[0]] = float(fields[2])
    if not table:
        raise RuntimeError(f"no rows from {cmd}")
    return table


def alternate(native_cmd, wasm_cmd, parse, reps):
    """([native tables], [wasm tables]), run native, Wasm, native, ..."""
    native, wasm = [], []
    for _ in range(reps):
        native.append(parse(native_cmd))
        wasm.append(parse(wasm_cmd))
    return native, wasm


def bench_collectives(build, reps, report, per_size=False):
    """Per op: the geometric mean over sizes of the time per call (a row per
    size too with per_size), then the geometric-mean slowdown over all ops
    and sizes (target <= 1.05)."""
    runner = f"{build}/worker/wasmhpc-run"
    launch = MPIRUN + ["-np", str(COLLECTIVE_RANKS)]
    module = f"{build}/bench/collectives.wasm"
    native, wasm = alternate(launch + [f"{build}/bench/collectives"],
                             launch + [runner, module], collectives_table,
                             reps)
    ops = {}  # op -> [bytes...], in the program's order
    for op, nbytes in native[0]:
        ops.setdefault(op, []).append(nbytes)
    ratios = []
    for op, sizes in ops.items():
        cells = [(op, s) for s in sizes]
        for cell in cells:
            n = [t[cell] for t in native]
            w = [t[cell] for t in wasm]
            ratios.append(statistics.median(w) / statistics.median(n))
            if per_size:
                report.add(f"{op} {size_label(cell[1])}, {COLLECTIVE_RANKS} "
                           "ranks (us)", n, w, "{:.3f}")
        if len(sizes) == 1:
            if not per_size:
                report.add(f"{op}, {COLLECTIVE_RANKS} ranks (us)",
                           [t[cells[0]] for t in native],
                           [t[cells[0]] for t in wasm], "{:.3f}")
            continue
        span = f"{size_label(sizes[0])}..{size_label(sizes[-1])}"
        report.add(f"{op} {span}, {COLLECTIVE_RANKS} ranks, geometric mean "
                   "over sizes (us)",
                   [geomean(t[c] for c in cells) for t in native],
                   [geomean(t[c] for c in cells) for t in wasm], "{:.3f}")
    gm = geomean(ratios)
    report.rows.append((f"collectives geometric-mean slowdown, {len(ops)} "
                        f"ops, {len(ratios)} op/size cells", "", "",
                        f"{gm:.3f}", "", "PASS" if gm <= 1.05 else "MISS"))


def bench_call_overhead(build, reps, report):
    """Per call: ns per call native and Wasm, then the difference, the
    bridge overhead per call (target <= 50 ns)."""
    runner = f"{build}/worker/wasmhpc-run"
    launch = MPIRUN + ["-np", "1"]
    module = f"{build}/bench/call_overhead.wasm"
    native, wasm = alternate(launch + [f"{build}/bench/call_overhead"],
                             launch + [runner, module], call_overhead_table,
                             reps)
    for call in native[0]:
        n = [t[call] for t in native]
        w = [t[call] for t in wasm]
        report.add(f"{call}, 1 rank (ns per call)", n, w, "{:.1f}")
        overhead = statistics.median(w) - statistics.median(n)
        report.rows.append((f"{call} bridge overhead per call (ns)", "", "",
                            f"{overhead:+.1f}", "",
                            "PASS" if overhead <= OVERHEAD_TARGET_NS
                            else "MISS"))


RMA_RANKS = 2
RMA_LATENCY_BYTES = 8
RMA_LATENCY_TARGET = 1.5  # x native MPI_Win_create, at 8 B
RMA_BANDWIDTH_OPS = ("MPI_Put", "MPI_Get")


def rma_table(cmd):
    """{(window, op, bytes): us per call} from bench/mpi/rma output."""
    table = {}
    for line in run(cmd).splitlines():
        fields = line.split()
        if len(fields) == 5 and fields[1].startswith("MPI_") and \
                fields[2].isdigit():
            table[(fields[0], fields[1], int(fields[2]))] = float(fields[4])
    if not table:
        raise RuntimeError(f"no rows from {cmd}")
    return table


def bench_rma(build, reps, report):
    """MPI_Put / MPI_Get / MPI_Accumulate + MPI_Win_flush at 2 ranks, over
    an MPI_Win_create and an MPI_Win_allocate window: latency at 8 B (us)
    and Put/Get bandwidth (MB/s) at the larger sizes; the ratio column is
    wasm/native (for bandwidth, below 1 is slower). The native run gets
    Open MPI's default components. Each 8 B latency is held to 1.5x native
    MPI_Win_create's for the same op (target column); see bench/README.md
    for the allocate window."""
    runner = f"{build}/worker/wasmhpc-run"
    launch = MPIRUN + ["-np", str(RMA_RANKS)]
    native, wasm = alternate(launch + [f"{build}/bench/rma"],
                             launch + [runner, f"{build}/bench/rma.wasm"],
                             rma_table, reps)
    for window, op, nbytes in native[0]:
        n = [t[(window, op, nbytes)] for t in native]
        w = [t[(window, op, nbytes)] for t in wasm]
        label = f"{op} + flush {size_label(nbytes)}, MPI_Win_{window} " \
                f"window, {RMA_RANKS} ranks"
        if nbytes <= RMA_LATENCY_BYTES:
            create = statistics.median(
                t[("create", op, nbytes)] for t in native)
            report.add(f"{label} (us; target: wasm <= {RMA_LATENCY_TARGET}x "
                       "native MPI_Win_create)", n, w, "{:.3f}",
                       target=lambda r, n_, w_, c=create:
                       w_ <= RMA_LATENCY_TARGET * c)
        elif op in RMA_BANDWIDTH_OPS:
            report.add(f"{label} (MB/s)", [nbytes / us for us in n],
                       [nbytes / us for us in w], "{:.0f}")


def main(argv):
    build = argv[1] if len(argv) > 1 and not argv[1].startswith("--") \
        else "build"
    reps = int(argv[argv.index("--reps") + 1]) if "--reps" in argv else 2
    report = Report()
    started = time.time()
    bench_collectives(build, reps, report, per_size="--per-size" in argv)
    bench_call_overhead(build, reps, report)
    bench_rma(build, reps, report)
    print(report.markdown(f"# wasmhpc MPI bench ({reps} alternating "
                          f"repetitions, {time.time() - started:.0f} s)"))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
