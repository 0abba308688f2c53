#!/usr/bin/env python3
"""A parameter sweep with wasmhpc.Executor: the conjugate-gradient example
(examples/cg.c) on grids of several sizes, as concurrent wasmhpc jobs, with
the iterations each needed.

  PYTHONPATH=build/python python3 examples/python/sweep.py \
      build/examples/cg.wasm --sizes 8 16 24 32 --ranks 2

The head comes from --server, else $WASMHPC_SERVER, else 127.0.0.1:7070;
tokens and TLS from $WASMHPC_TOKEN_FILE / $WASMHPC_TOKEN and $WASMHPC_CA.
Exits 1 if any job failed.
"""

import argparse
import re
import sys

import wasmhpc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", help="cg.wasm (a path, or a digest)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 24, 32])
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--server", default=None)
    options = parser.parse_args()

    failed = 0
    with wasmhpc.Executor(options.server, max_workers=4) as ex:
        futures = {n: ex.submit(options.module, n, ranks=options.ranks)
                   for n in options.sizes}
        print("grid\titerations\tresidual\tjob")
        for n, future in futures.items():
            try:
                result = future.result()
            except wasmhpc.JobFailed as e:
                print(f"{n}\tfailed (exit {e.exit_code}): {e}", file=sys.stderr)
                failed += 1
                continue
            iterations = re.search(r"^iterations: (\d+)$", result.stdout, re.M)
            residual = re.search(r"^residual: (\S+)$", result.stdout, re.M)
            print(f"{n}\t{iterations.group(1)}\t{residual.group(1)}\t"
                  f"{result.job_id}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
