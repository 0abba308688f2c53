#!/usr/bin/env python3
"""make bench: Wasm vs native, measured side by side in one invocation.

Runs each benchmark natively and as Wasm (wasmhpc-run), alternating, several
repetitions, and writes bench/results/latest.md (metric, native, wasm,
ratio, median and spread). Ping-pong, collectives and RMA also run as pool
jobs on a local head + pool (pool_bench.py: a pool column beside wasm),
with the idle pool's cost. Reports, never fails on a slow number.

usage: bench.py BUILD_DIR [--reps N]
                [--only compile-cache|pingpong|rma|collectives|mpi|pool]

--only runs one group and prints its rows; latest.md is left alone. The
pingpong, rma, collectives (8 B at 2 and 4 ranks) and mpi groups are
native vs wasmhpc-run only; pool is ping-pong, collectives and RMA three
ways plus the idle pool rows.
"""
import os
import statistics
import subprocess
import sys
import time

from kernels_bench import bench_kernels, bench_sizes
from launch_bench import LocalService, bench_launch, bench_throughput
from mpi_bench import (bench_call_overhead, bench_collectives, bench_pingpong,
                       bench_rma, bench_small_collectives)
from multihost_bench import bench_multihost
from pool_bench import bench_pool
from report import ENV, Report, kernel_seconds



def bench_cg(build, reps, report):
    native, turbofan, liftoff = [], [], []
    exe, wasm = f"{build}/bench/cg_serial", f"{build}/bench/cg_serial.wasm"
    runner = f"{build}/worker/wasmhpc-run"
    for _ in range(reps):
        native.append(kernel_seconds([exe]))
        turbofan.append(kernel_seconds([runner, "--tier", "turbofan", wasm]))
        liftoff.append(kernel_seconds([runner, "--tier", "liftoff", wasm]))
    report.add("CG serial solve (s), TurboFan", native, turbofan,
               target=lambda r, n, w: r <= 1.15)
    report.add("CG serial solve (s), Liftoff", native, liftoff)


def load_ms(cmd, wall=None):
    """(source, ms, parts) from a wasmhpc-run --timings line: 'code SOURCE in
    MS ms (open cache A ms, digest B ms, ..., deserialize D ms)'. parts maps
    each part's name to its ms. Appends the process's wall ms to `wall`."""
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    if wall is not None:
        wall.append(1000 * (time.perf_counter() - started))
    for line in out.stderr.splitlines():
        if "timings: code" in line:
            words = line.split("timings: code ", 1)[1].split(" in ", 1)
            total, rest = words[1].split(" ms (", 1)
            parts = {}
            for part in rest.split("), ", 1)[0].split(", "):
                name, ms = part.rsplit(" ", 2)[:2]
                parts[name] = float(ms)
            return words[0], float(total), parts
    raise RuntimeError(f"no timings from {cmd}: {out.stderr}")


def bench_compile_cache(build, reps, report):
    """TurboFan and Liftoff compile vs cache load of a generated >= 1 MB
    module (and of the CG example), each ratio against TurboFan. The cache
    load is what wasmhpc-run's load step costs on a hit: waiting for the
    cache lookup (cache open and module digest at once, then the store read,
    on helper threads started during MPI start-up and isolate creation) and
    V8's deserialization.
    A breakdown row gives the median of each part; a wall-time row compares
    whole wasmhpc-run processes (start-up, instantiation and the short run
    included), hit vs TurboFan compile."""
    import tempfile
    runner = f"{build}/worker/wasmhpc-run"
    with tempfile.TemporaryDirectory() as tmp:
        large = f"{tmp}/large.wasm"
        subprocess.run([sys.executable, "bench/gen_large_module.py",
                        f"{tmp}/large.c", "5000"], check=True)
        subprocess.run(["sdk/bin/wasmhpc-cc", "-O2", f"{tmp}/large.c", "-o",
                        large], check=True)
        size_mb = os.path.getsize(large) / 1e6
        for name, module in ((f"{size_mb:.1f} MB generated module", large),
                             ("CG example", f"{build}/examples/cg.wasm")):
            turbofan, liftoff, cached, parts = [], [], [], []
            turbofan_wall, cached_wall = [], []
            cache = f"{tmp}/cache-{len(name)}"
            load_ms([runner, "--cache", cache, "--timings", module])  # fill
            for _ in range(reps):
                turbofan.append(load_ms([runner, "--no-cache", "--timings",
                                         module], turbofan_wall)[1])
                liftoff.append(load_ms([runner, "--no-cache", "--tier",
                                        "liftoff", "--timings", module])[1])
                source, ms, part = load_ms([runner, "--cache", cache,
                                            "--timings", module], cached_wall)
                assert source == "loaded from cache", source
                cached.append(ms)
                parts.append(part)
            report.add(f"{name}: Liftoff compile vs TurboFan compile (ms)",
                       turbofan, liftoff, "{:.2f}")
            report.add(f"{name}: cache load vs TurboFan compile (ms)",
                       turbofan, cached, "{:.2f}",
                       target=lambda r, n, w: r <= 1 / 50)
            speedup = statistics.median(turbofan) / statistics.median(cached)
            breakdown = ", ".join(
                f"{key} {statistics.median(p[key] for p in parts):.2f}"
                for key in parts[0]) + (
                    " (open cache, digest and cache read run on helper "
                    "threads during start-up; the load pays 'waited for "
                    "them' and deserialize)")
            report.rows.append((f"{name}: cache load breakdown, medians (ms)",
                                "", breakdown, f"{speedup:.0f}x faster", "",
                                ""))
            report.add(f"{name}: wasmhpc-run wall time, cache hit vs "
                       "TurboFan compile (ms)", turbofan_wall, cached_wall,
                       "{:.1f}")


def main(argv):
    build = argv[1] if len(argv) > 1 else "build"
    reps = int(argv[argv.index("--reps") + 1]) if "--reps" in argv else 5
    report = Report()
    started = time.time()
    if "--only" in argv:
        group = argv[argv.index("--only") + 1]
        groups = {
            "compile-cache": [bench_compile_cache],
            "pingpong": [bench_pingpong],
            "rma": [bench_rma],
            "collectives": [bench_small_collectives],
            "mpi": [bench_pingpong, bench_collectives, bench_small_collectives,
                    bench_call_overhead, bench_rma],
            "pool": [bench_pool],
        }
        if group not in groups:
            print(f"--only: unknown group '{group}' (expected "
                  f"{', '.join(groups)})", file=sys.stderr)
            return 2
        for bench in groups[group]:
            bench(build, reps, report)
        print(report.markdown(f"# {group} rows ({reps} alternating "
                              f"repetitions, {time.time() - started:.0f} s)"))
        return 0
    bench_cg(build, reps, report)
    kernel_ratios = bench_kernels(build, reps, report)
    bench_sizes(build, report)
    pingpong = bench_pool(build, reps, report)  # ping-pong, collectives, RMA
    bench_multihost(build, reps, report)  # a skip row without netns
    bench_call_overhead(build, reps, report)
    bench_compile_cache(build, reps, report)
    with LocalService(build) as service:
        launch = bench_launch(build, reps, report, service)
        bench_throughput(build, min(reps, 3), report, service)
    header = (f"# wasmhpc bench ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"{os.cpu_count()} cores, {reps} alternating repetitions, "
              f"{time.time() - started:.0f} s)")
    os.makedirs("bench/results", exist_ok=True)
    text = report.markdown(header)
    with open("bench/results/latest.md", "w") as f:
        f.write(text)
    print(text)
    try:
        from plots import write_plots
        write_plots({"kernels": kernel_ratios, "pingpong": pingpong,
                     "launch": launch}, "bench/results")
        print("plots: bench/results/*.png")
    except ImportError as e:
        print(f"no plots ({e}): install python3-matplotlib")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
