"""Shared by the bench modules: running commands and the results table."""
import math
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


def geomean(values):
    values = list(values)
    return math.exp(sum(math.log(v) for v in values) / len(values))


def spread(values, fmt):
    return f"{fmt.format(min(values))}-{fmt.format(max(values))}"


class Report:
    """Rows of the results table. A row compares native with wasmhpc-run
    (both under mpirun) and, where given, with the same program as a pool
    job (a job on a warm pool through the head)."""

    def __init__(self):
        self.rows = []

    def add(self, metric, native, wasm, fmt="{:.4f}", target=None,
            pool=None):
        """Medians of the native and wasm samples (and pool's, if given),
        their ratios to native and spreads. target(ratio, native, x) is
        asked of wasm's median (and pool's): PASS or MISS."""
        n = statistics.median(native)
        cells = [self._measured(n, wasm, fmt, target)]
        if pool is not None:
            cells.append(self._measured(n, pool, fmt, target))
        spreads = " / ".join([spread(native, fmt)] +
                             [spread(s, fmt) for s in (wasm, pool) if s])
        verdict = " / ".join(c[2] for c in cells if c[2])
        pool_cells = cells[1][:2] if pool is not None else ("", "")
        self.rows.append((metric, fmt.format(n), *cells[0][:2], *pool_cells,
                          spreads, verdict))

    @staticmethod
    def _measured(native, samples, fmt, target):
        x = statistics.median(samples)
        ratio = x / native if native else float("nan")
        verdict = ""
        if target is not None:
            verdict = "PASS" if target(ratio, native, x) else "MISS"
        return fmt.format(x), f"{ratio:.3f}", verdict

    def slowdown(self, metric, wasm_ratios, pool_ratios, limit):
        """A row of geometric-mean slowdowns (ratios to native) of wasm and,
        if pool_ratios, of pool jobs; each PASS when <= limit."""
        gms = [geomean(wasm_ratios)] + \
            ([geomean(pool_ratios)] if pool_ratios else [])
        verdict = " / ".join("PASS" if gm <= limit else "MISS" for gm in gms)
        pool = f"{gms[1]:.3f}" if pool_ratios else ""
        self.rows.append((metric, "", "", f"{gms[0]:.3f}", "", pool, "",
                          verdict))

    def markdown(self, header):
        lines = [header, "",
                 "Ratios are wasm/native and pool job/native; in the compile "
                 "rows, the second column over TurboFan compile (the 'native' "
                 "column); in the launch rows 'A vs B' puts A in the first "
                 "column and B in the second (ratio B/A: 0.05 is 20x faster). "
                 "Single numbers sit in the wasm column, a pool's in the pool "
                 "column. 'wasm' is mpirun wasmhpc-run; 'pool job' the same "
                 "module submitted to a warm pool (wasmhpc-cli submit); where "
                 "a row has both, its target reads wasm / pool job.", "",
                 "| metric | native | wasm | ratio (wasm/native) | pool job "
                 "| ratio (pool/native) | spread native / wasm / pool | "
                 "target |",
                 "|---|---|---|---|---|---|---|---|"]
        for row in self.rows:
            if len(row) == 6:  # (metric, native, wasm, ratio, spread, target)
                row = row[:4] + ("", "") + row[4:]
            lines.append("| " + " | ".join(row) + " |")
        return "\n".join(lines) + "\n"
