"""examples/python/sweep.py and examples/snakemake/Snakefile run against a
real head and pool; their numbers are checked against what wasmhpc-cli
prints for the same jobs."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import cluster
from cluster import build_path

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CG = build_path("examples", "cg.wasm")
SIZES = (8, 16, 24)

head: cluster.LocalCluster
cli_stdout = {}  # Grid size -> what `wasmhpc-cli submit cg.wasm` printed.


def setUpModule() -> None:
    global head
    head = cluster.LocalCluster().__enter__()
    for n in SIZES:
        run = subprocess.run(head.cli("submit", CG, "--ranks", "2", "--",
                                      str(n)),
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        cli_stdout[n] = run.stdout


def tearDownModule() -> None:
    head.stop()


def iterations(stdout: str) -> str:
    return [l.split()[1] for l in stdout.splitlines()
            if l.startswith("iterations:")][0]


def example_env() -> dict:
    env = dict(os.environ, WASMHPC_SERVER=head.server)
    env["PYTHONPATH"] = build_path("python")
    return env


class ExamplesTest(unittest.TestCase):
    def test_python_sweep(self) -> None:
        run = subprocess.run(
            [sys.executable, os.path.join(TOP, "examples", "python", "sweep.py"),
             CG, "--sizes", *map(str, SIZES), "--ranks", "2"],
            capture_output=True, text=True, timeout=300, env=example_env())
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        rows = [line.split("\t") for line in run.stdout.splitlines()]
        self.assertEqual(rows[0], ["grid", "iterations", "residual", "job"])
        self.assertEqual([(r[0], r[1]) for r in rows[1:]],
                         [(str(n), iterations(cli_stdout[n])) for n in SIZES])

    def test_snakemake_workflow(self) -> None:
        snakemake = shutil.which("snakemake")
        if snakemake is None:
            self.skipTest("snakemake is not installed (Debian's snakemake; "
                          "deploy/local/install-deps.sh)")
        with tempfile.TemporaryDirectory() as work:
            run = subprocess.run(
                [snakemake, "--cores", "2", "--snakefile",
                 os.path.join(TOP, "examples", "snakemake", "Snakefile"),
                 "--directory", work, "--config", f"module={CG}"],
                capture_output=True, text=True, timeout=300, env=example_env())
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            for n in SIZES:
                with open(os.path.join(work, "cg", f"{n}.txt")) as f:
                    self.assertEqual(f.read(), cli_stdout[n])
            with open(os.path.join(work, "summary.tsv")) as f:
                self.assertEqual(
                    f.read(), "grid\titerations\n" + "".join(
                        f"{n}\t{iterations(cli_stdout[n])}\n" for n in SIZES))


if __name__ == "__main__":
    cluster.run_tests()
