#!/usr/bin/env python3
"""MPI benchmarks, Wasm vs native: collectives at 4 ranks, the per-call
cost of cheap MPI calls (the bridge overhead), and one-sided
Put/Get/Accumulate latency and bandwidth at 2 ranks.

Programs: bench/mpi/collectives.c, call_overhead.c and rma.c, built by
bench/CMakeLists.txt into BUILD/bench/NAME (native) and NAME.wasm. Each
function runs native and Wasm (mpirun wasmhpc-run) alternately, `reps`
times, and adds rows (medians over the repetitions) to a report.Report.
Given a pool (a launch_bench.LocalService), collectives and RMA also run
as pool jobs (wasmhpc-cli submit -n RANKS), in turn with the other two,
into the rows' pool column.

From bench.py:
    from mpi_bench import bench_call_overhead, bench_collectives
    bench_collectives(build, reps, report, pool=service)
    bench_small_collectives(build, reps, report, (2,), pool=service)
    bench_call_overhead(build, reps, report)
    bench_rma(build, reps, report, pool=service)

Standalone (prints the table; --per-size adds a row per op and size):
    python3 bench/mpi_bench.py [BUILD_DIR] [--reps N] [--per-size]
"""
import statistics
import sys
import time

from report import MPIRUN, Report, geomean, pingpong_table, run

COLLECTIVE_RANKS = 4
COLLECTIVES_GM_TARGET = 1.05
OVERHEAD_TARGET_NS = 50


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


def alternate(cmds, parse, reps):
    """[[tables of cmds[0]], [tables of cmds[1]], ...]: the commands run in
    turn (native, Wasm, pool job, native, ...), `reps` times each."""
    tables = [[] for _ in cmds]
    for _ in range(reps):
        for cmd, out in zip(cmds, tables):
            out.append(parse(cmd))
    return tables


def three_way(build, ranks, name, pool, args=()):
    """The commands of one program: native and Wasm under mpirun -np ranks,
    and, with a pool (launch_bench.LocalService), a pool job."""
    runner = f"{build}/worker/wasmhpc-run"
    launch = MPIRUN + ["-np", str(ranks)]
    module = f"{build}/{name}.wasm"
    cmds = [launch + [f"{build}/{name}", *args],
            launch + [runner, module, *args]]
    if pool is not None:
        cmds.append(pool.job(module, ranks, *args))
    return cmds


PINGPONG_GM_TARGET = 1.03      # x native, over 0 B..4 MiB, both paths
PINGPONG_OVERHEAD_TARGET_NS = 100  # wasmhpc-run - native at 8 B
POOL_VS_RUN_TARGET = 1.10      # pool job / wasmhpc-run at 8 B


def bench_pingpong(build, reps, report, pool=None):
    """examples/pingpong at 2 ranks, 0 B..4 MiB: native, wasmhpc-run and,
    with a pool, a pool job, in turn. Returns {bytes: (native, wasm[,
    pool])} medians for plots.write_plots."""
    tables = alternate(three_way(build, 2, "examples/pingpong", pool),
                       pingpong_table, reps)
    medians = {size: tuple(statistics.median(t[size] for t in path)
                           for path in tables) for size in tables[0][0]}
    for size in sorted(medians):
        report.add(f"pingpong {size} B half round trip (us)",
                   *([t[size] for t in path] for path in tables[:2]),
                   "{:.3f}", pool=[t[size] for t in tables[2]]
                   if pool else None)
    ratios = [[m[i] / m[0] for m in medians.values()]
              for i in range(1, len(tables))]
    report.slowdown("pingpong geometric-mean slowdown, 0 B..4 MiB",
                    ratios[0], ratios[1] if pool else None,
                    PINGPONG_GM_TARGET)
    overhead_ns = 1000 * (medians[8][1] - medians[8][0])
    report.rows.append(("pingpong overhead at 8 B (ns)", "", "",
                        f"{overhead_ns:+.0f}", "",
                        "PASS" if overhead_ns <= PINGPONG_OVERHEAD_TARGET_NS
                        else "MISS"))
    if pool:
        ratio = medians[8][2] / medians[8][1]
        report.rows.append((
            "pingpong 8 B: pool job / wasmhpc-run (target <= "
            f"{POOL_VS_RUN_TARGET})", "", "", "", "", f"{ratio:.3f}", "",
            "PASS" if ratio <= POOL_VS_RUN_TARGET else "MISS"))
    return medians


def bench_collectives(build, reps, report, per_size=False, pool=None):
    """Per op: the geometric mean over sizes of the time per call (a row per
    size too with per_size), then the geometric-mean slowdown over all ops
    and sizes (target <= 1.05). With a pool, each also as a pool job."""
    tables = alternate(three_way(build, COLLECTIVE_RANKS, "bench/collectives",
                                 pool), collectives_table, reps)
    native = tables[0]
    ops = {}  # op -> [bytes...], in the program's order
    for op, nbytes in native[0]:
        ops.setdefault(op, []).append(nbytes)
    ratios = [[] for _ in tables[1:]]  # wasm's, pool's
    for op, sizes in ops.items():
        cells = [(op, s) for s in sizes]
        for cell in cells:
            n = statistics.median(t[cell] for t in native)
            for path, out in zip(tables[1:], ratios):
                out.append(statistics.median(t[cell] for t in path) / n)
            if per_size:
                _add(report, f"{op} {size_label(cell[1])}, "
                     f"{COLLECTIVE_RANKS} ranks (us)", tables,
                     lambda t, c=cell: t[c])
        if len(sizes) == 1:
            if not per_size:
                _add(report, f"{op}, {COLLECTIVE_RANKS} ranks (us)", tables,
                     lambda t, c=cells[0]: t[c])
            continue
        span = f"{size_label(sizes[0])}..{size_label(sizes[-1])}"
        _add(report, f"{op} {span}, {COLLECTIVE_RANKS} ranks, geometric mean "
             "over sizes (us)", tables,
             lambda t, c=cells: geomean(t[x] for x in c))
    report.slowdown(f"collectives geometric-mean slowdown, {len(ops)} ops, "
                    f"{len(ratios[0])} op/size cells", ratios[0],
                    ratios[1] if pool else None, COLLECTIVES_GM_TARGET)


SMALL_COLLECTIVES = ("MPI_Allreduce", "MPI_Bcast", "MPI_Reduce",
                     "MPI_Barrier")
SMALL_BYTES = 8
SMALL_TARGET = 1.15  # x native, at 8 B, both paths
SMALL_MS_PER_CELL = 200


def bench_small_collectives(build, reps, report, ranks=(2, COLLECTIVE_RANKS),
                            pool=None):
    """The latency-bound collectives at 8 B (MPI_Barrier: none) at each of
    `ranks`, a row per op, held to 1.15x native on both paths."""
    for n in ranks:
        tables = alternate(
            three_way(build, n, "bench/collectives", pool,
                      (str(SMALL_MS_PER_CELL), str(SMALL_BYTES))),
            collectives_table, reps)
        for op in SMALL_COLLECTIVES:
            cell = (op, 0 if op == "MPI_Barrier" else SMALL_BYTES)
            size = "" if op == "MPI_Barrier" else f" {size_label(cell[1])}"
            _add(report, f"{op}{size}, {n} ranks (us; target <= "
                 f"{SMALL_TARGET}x native)", tables, lambda t, c=cell: t[c],
                 target=lambda r, n_, x: r <= SMALL_TARGET)


def _add(report, metric, tables, value, fmt="{:.3f}", target=None):
    """report.add of value(table) over each path's tables (native, wasm and
    maybe pool)."""
    paths = [[value(t) for t in path] for path in tables]
    report.add(metric, paths[0], paths[1], fmt, target,
               pool=paths[2] if len(paths) > 2 else None)


def bench_call_overhead(build, reps, report):
    """Per call: ns per call native and Wasm, then the difference, the
    bridge overhead per call (target <= 50 ns)."""
    native, wasm = alternate(three_way(build, 1, "bench/call_overhead", None),
                             call_overhead_table, reps)
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


def bench_rma(build, reps, report, pool=None):
    """MPI_Put / MPI_Get / MPI_Accumulate + MPI_Win_flush at 2 ranks, over
    an MPI_Win_create and an MPI_Win_allocate window: latency at 8 B (us)
    and Put/Get bandwidth (MB/s) at the larger sizes; the ratio column is
    wasm/native (for bandwidth, below 1 is slower). The native run gets
    Open MPI's default components. Each 8 B latency is held to 1.5x native
    MPI_Win_create's for the same op (target column); see bench/README.md
    for the allocate window. With a pool, each also as a pool job."""
    tables = alternate(three_way(build, RMA_RANKS, "bench/rma", pool),
                       rma_table, reps)
    native = tables[0]
    for window, op, nbytes in native[0]:
        key = (window, op, nbytes)
        label = f"{op} + flush {size_label(nbytes)}, MPI_Win_{window} " \
                f"window, {RMA_RANKS} ranks"
        if nbytes <= RMA_LATENCY_BYTES:
            create = statistics.median(
                t[("create", op, nbytes)] for t in native)
            _add(report, f"{label} (us; target: <= {RMA_LATENCY_TARGET}x "
                 "native MPI_Win_create)", tables, lambda t: t[key],
                 target=lambda r, n_, x, c=create:
                 x <= RMA_LATENCY_TARGET * c)
        elif op in RMA_BANDWIDTH_OPS:
            _add(report, f"{label} (MB/s)", tables,
                 lambda t: nbytes / t[key], "{:.0f}")


def main(argv):
    build = argv[1] if len(argv) > 1 and not argv[1].startswith("--") \
        else "build"
    reps = int(argv[argv.index("--reps") + 1]) if "--reps" in argv else 2
    report = Report()
    started = time.time()
    bench_collectives(build, reps, report, per_size="--per-size" in argv)
    bench_small_collectives(build, reps, report)
    bench_call_overhead(build, reps, report)
    bench_rma(build, reps, report)
    print(report.markdown(f"# wasmhpc MPI bench ({reps} alternating "
                          f"repetitions, {time.time() - started:.0f} s)"))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
