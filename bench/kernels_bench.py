#!/usr/bin/env python3
"""Compute kernels, native vs Wasm, for bench.py (and runnable alone).

Each kernel in bench/kernels/ is one C source built four ways by
bench/CMakeLists.txt; this module runs them, alternating, and adds rows to a
report.Report:

  bench_kernels(build, reps, report) -> {kernel title: {variant: ratio}}
      Per kernel, the time of native (-O3 -march=native) against Wasm with
      SIMD on TurboFan, without SIMD on TurboFan, and with SIMD on Liftoff
      (ratios wasm/native of median times), a throughput row in the kernel's
      own unit, and geometric means over the kernels (TurboFan SIMD has the
      target <= 1.15). Raises RuntimeError when a Wasm build's validation
      output differs from the native one's: a wrong result is not timed.
      Returns the median-time ratios, the input plots.write_plots expects.
  bench_sizes(build, report)
      Binary sizes: the Wasm module against the native dynamic and static
      executables, all stripped of symbols and debug info.

usage: kernels_bench.py [BUILD_DIR]   (one repetition, prints the markdown,
                                        writes plots into bench/results/)
"""
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from report import Report, run

# (file stem, title, throughput unit) of each kernel in bench/kernels/.
KERNELS = (
    ("stencil27_cg", "27-point stencil CG", "GFLOP/s"),
    ("triad", "STREAM triad", "GB/s"),
    ("bucket_sort", "integer bucket sort", "Mkeys/s"),
    ("matmul", "blocked matrix multiply", "GFLOP/s"),
)
NATIVE = "native"
# The Wasm variants, in the order they run after native in a repetition.
WASM_VARIANTS = ("TurboFan SIMD", "TurboFan no SIMD", "Liftoff SIMD")
TARGET = 1.15  # geometric-mean wasm/native time, TurboFan SIMD


def _commands(build, stem):
    """{variant: command line} for one kernel, native first."""
    bench, runner = f"{build}/bench", f"{build}/worker/wasmhpc-run"
    return {
        NATIVE: [f"{bench}/{stem}"],
        "TurboFan SIMD": [runner, "--tier", "turbofan", "--no-cache",
                          f"{bench}/{stem}.wasm"],
        "TurboFan no SIMD": [runner, "--tier", "turbofan", "--no-cache",
                             f"{bench}/{stem}-nosimd.wasm"],
        "Liftoff SIMD": [runner, "--tier", "liftoff", "--no-cache",
                         f"{bench}/{stem}.wasm"],
    }


def _parse(cmd):
    """(validation lines, seconds, throughput) from one kernel run."""
    validation, seconds, throughput = [], None, None
    for line in run(cmd).splitlines():
        if line.startswith("time:"):
            seconds = float(line.split()[1])
        elif line.startswith("metric:"):
            throughput = float(line.split()[1])
        else:
            validation.append(line)
    if seconds is None or throughput is None:
        raise RuntimeError(f"no time: or metric: line from {cmd}")
    return validation, seconds, throughput


def _geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _bench_one(build, stem, reps):
    """{variant: ([seconds], [throughput])}, every output checked."""
    commands = _commands(build, stem)
    results = {variant: ([], []) for variant in commands}
    expected = None
    for _ in range(reps):
        for variant, cmd in commands.items():
            validation, seconds, throughput = _parse(cmd)
            if expected is None:
                expected = validation
            elif validation != expected:
                raise RuntimeError(
                    f"{stem}: {variant} output differs from native:\n"
                    + "\n".join(validation) + "\nexpected:\n"
                    + "\n".join(expected))
            results[variant][0].append(seconds)
            results[variant][1].append(throughput)
    return results


def bench_kernels(build, reps, report):
    ratios = {}
    for stem, title, unit in KERNELS:
        results = _bench_one(build, stem, reps)
        native_s = results[NATIVE][0]
        ratios[title] = {}
        for variant in WASM_VARIANTS:
            report.add(f"{title} (s), {variant}", native_s,
                       results[variant][0])
            ratios[title][variant] = (statistics.median(results[variant][0])
                                      / statistics.median(native_s))
        rates = [f"{statistics.median(results[v][1]):.2f}"
                 for v in WASM_VARIANTS]
        report.rows.append((
            f"{title} ({unit}; wasm: " + " / ".join(WASM_VARIANTS) + ")",
            f"{statistics.median(results[NATIVE][1]):.2f}",
            " / ".join(rates), "", "", ""))
    for variant in WASM_VARIANTS:
        gm = _geomean([ratios[title][variant] for title in ratios])
        verdict = ""
        if variant == "TurboFan SIMD":
            verdict = "PASS" if gm <= TARGET else "MISS"
        report.rows.append((
            f"compute kernels geometric-mean slowdown, {variant}", "", "",
            f"{gm:.3f}", "", verdict))
    return ratios


def _leb128(data, pos):
    """(value, next position) of an unsigned LEB128 at data[pos]."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def wasm_stripped_bytes(path):
    """Bytes of a Wasm module less its custom sections (names, producers),
    as llvm-strip would leave it."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\0asm":
        raise RuntimeError(f"{path} is not a Wasm module")
    size, pos = 8, 8
    while pos < len(data):
        section_id = data[pos]
        length, body = _leb128(data, pos + 1)
        if section_id != 0:
            size += body - pos + length
        pos = body + length
    return size


def native_stripped_bytes(path):
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "exe")
        shutil.copyfile(path, copy)
        subprocess.run(["strip", "--strip-all", copy], check=True)
        return os.path.getsize(copy)


def bench_sizes(build, report):
    for stem, title, _ in KERNELS:
        wasm = wasm_stripped_bytes(f"{build}/bench/{stem}.wasm") / 1024
        dynamic = native_stripped_bytes(f"{build}/bench/{stem}") / 1024
        static = native_stripped_bytes(f"{build}/bench/{stem}-static") / 1024
        report.add(f"{title} binary (KiB, stripped): Wasm vs native dynamic",
                   [dynamic], [wasm], "{:.1f}")
        report.add(f"{title} binary (KiB, stripped): Wasm vs native static",
                   [static], [wasm], "{:.1f}")


def main(argv):
    build = argv[1] if len(argv) > 1 else "build"
    report = Report()
    started = time.time()
    ratios = bench_kernels(build, 1, report)
    bench_sizes(build, report)
    print(report.markdown(
        f"# compute kernels ({os.cpu_count()} cores, 1 repetition, "
        f"{time.time() - started:.0f} s)"))
    try:
        from plots import write_plots
    except ImportError as error:  # matplotlib: bench-only dependency
        print(f"no plots: {error} (Debian: apt-get install "
              "python3-matplotlib)")
        return 0
    for path in write_plots({"kernels": ratios}, "bench/results"):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
