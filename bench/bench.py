#!/usr/bin/env python3
"""make bench: Wasm vs native, measured side by side in one invocation.

Runs each benchmark natively and as Wasm (wasmhpc-run), alternating, several
repetitions, and writes bench/results/latest.md (metric, native, wasm,
ratio, median and spread). Reports, never fails on a slow number.

usage: bench.py BUILD_DIR [--reps N]
"""
import math
import os
import statistics
import subprocess
import sys
import time

MPIRUN = ["mpirun", "--oversubscribe", "--bind-to", "none"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1",
           OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          env=ENV).stdout


def kernel_seconds(cmd):
    for line in run(cmd).splitlines():
        if line.startswith("time:"):
            return float(line.split()[1])
    raise RuntimeError(f"no time: line from {cmd}")


def pingpong_table(cmd):
    """{bytes: half round trip in us} from examples/pingpong output."""
    table = {}
    for line in run(cmd).splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[0].isdigit():
            table[int(fields[0])] = float(fields[2])
    return table


def spread(values, fmt):
    return f"{fmt.format(min(values))}-{fmt.format(max(values))}"


class Report:
    def __init__(self):
        self.rows = []

    def add(self, metric, native, wasm, fmt="{:.4f}", target=None):
        n, w = statistics.median(native), statistics.median(wasm)
        ratio = w / n if n else float("nan")
        verdict = ""
        if target is not None:
            verdict = "PASS" if target(ratio, n, w) else "MISS"
        self.rows.append((metric, fmt.format(n), fmt.format(w),
                          f"{ratio:.3f}", spread(native, fmt) + " / " +
                          spread(wasm, fmt), verdict))

    def markdown(self, header):
        lines = [header, "",
                 "| metric | native | wasm | ratio (wasm/native) | spread native / wasm | target |",
                 "|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(lines) + "\n"


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


def bench_pingpong(build, reps, report):
    native, wasm = [], []
    exe = f"{build}/examples/pingpong"
    module = f"{build}/examples/pingpong.wasm"
    runner = f"{build}/worker/wasmhpc-run"
    for _ in range(reps):
        native.append(pingpong_table(MPIRUN + ["-np", "2", exe]))
        wasm.append(pingpong_table(MPIRUN + ["-np", "2", runner, module]))
    ratios = []
    for size in sorted(native[0]):
        n = [t[size] for t in native]
        w = [t[size] for t in wasm]
        ratios.append(statistics.median(w) / statistics.median(n))
        report.add(f"pingpong {size} B half round trip (us)", n, w, "{:.3f}")
    gm = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    overhead_ns = 1000 * (statistics.median(t[8] for t in wasm) -
                          statistics.median(t[8] for t in native))
    report.rows.append(("pingpong geometric-mean slowdown, 0 B..4 MiB", "", "",
                        f"{gm:.3f}", "", "PASS" if gm <= 1.05 else "MISS"))
    report.rows.append(("pingpong overhead at 8 B (ns)", "", "",
                        f"{overhead_ns:+.0f}", "",
                        "PASS" if overhead_ns <= 100 else "MISS"))


def main(argv):
    build = argv[1] if len(argv) > 1 else "build"
    reps = int(argv[argv.index("--reps") + 1]) if "--reps" in argv else 5
    report = Report()
    started = time.time()
    bench_cg(build, reps, report)
    bench_pingpong(build, reps, report)
    header = (f"# wasmhpc bench ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"{os.cpu_count()} cores, {reps} alternating repetitions, "
              f"{time.time() - started:.0f} s)")
    os.makedirs("bench/results", exist_ok=True)
    text = report.markdown(header)
    with open("bench/results/latest.md", "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
