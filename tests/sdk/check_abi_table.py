#!/usr/bin/env python3
"""Checks every constant a guest sees against the guest ABI table.

Usage: check_abi_table.py SDK_DIR RUN WORK_DIR
Writes a guest that prints each constant of SDK_DIR/abi/mpi_abi.txt as
<mpi.h> defines it (sdk/abi/gen_mpi_abi.py check-c), builds it with
SDK_DIR/bin/wasmhpc-cc, runs it with RUN (wasmhpc-run) and compares each
printed value with the table's.
"""
import os
import subprocess
import sys


def main(sdk_dir, run, work_dir):
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, os.path.join(sdk_dir, "abi"))
    import gen_mpi_abi as gen

    table = os.path.join(sdk_dir, "abi", "mpi_abi.txt")
    expected = gen.expected_values(gen.parse(table))
    os.makedirs(work_dir, exist_ok=True)
    src = os.path.join(work_dir, "print_constants.c")
    module = os.path.join(work_dir, "print_constants.wasm")
    subprocess.run([sys.executable, os.path.join(sdk_dir, "abi",
                                                  "gen_mpi_abi.py"),
                    table, "check-c", src], check=True)
    cc = os.path.join(sdk_dir, "bin", "wasmhpc-cc")
    subprocess.run([cc, "-O0", "-Wall", "-Werror", src, "-o", module],
                   check=True)
    out = subprocess.run([run, "--no-cache", module], check=True,
                         capture_output=True, text=True).stdout
    printed = {}
    for line in out.splitlines():
        name, value = line.split()
        printed[name] = int(value)
    wrong = ["%s: <mpi.h> %s, table %d" % (n, printed.get(n), v)
             for n, v in sorted(expected.items()) if printed.get(n) != v]
    extra = sorted(set(printed) - set(expected))
    if wrong or extra or len(expected) < 300:
        sys.exit("\n".join(wrong + ["printed, not in the table: %s" % n
                                    for n in extra] +
                           ["%d constants" % len(expected)]))
    print("%d constants: <mpi.h> as the guest sees it matches the table" %
          len(expected))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
