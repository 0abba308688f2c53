"""Shared by the bench modules: running commands and the results table."""
import os
import statistics
import subprocess

MPIRUN = ["mpirun", "--oversubscribe", "--bind-to", "none"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1",
           OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def run(cmd):
    """stdout of cmd; raises if it fails."""
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
                 "Ratios are wasm/native; in the compile rows, the second column "
                 "over TurboFan compile (the 'native' column); in the launch "
                 "rows 'A vs B' puts A in the first column and B in the second "
                 "(ratio B/A: 0.05 is 20x faster). Single numbers sit in the "
                 "wasm column.", "",
                 "| metric | native | wasm | ratio (wasm/native) | spread native / wasm | target |",
                 "|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(lines) + "\n"


