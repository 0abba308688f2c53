#!/usr/bin/env python3
"""Checks that every function <mpi.h> declares is a Wasm import env.<name>.

Usage: check_all_imports.py SDK_DIR WORK_DIR
Reads the WASMHPC_MPI_FN declarations from the SDK headers, writes a C file
that takes the address of each, links it with SDK_DIR/bin/wasmhpc-cc and
compares the module's env imports with the declared names.
"""
import os
import re
import subprocess
import sys

from wasm_sections import inspect

DECL = re.compile(r"^WASMHPC_MPI_FN\(\s*[\w ]+?\s*\*?\s*,\s*(\w+)\s*,", re.M)


def declared_names(include_dir):
    names = []
    headers = [os.path.join(include_dir, "mpi.h")]
    sub = os.path.join(include_dir, "wasmhpc")
    headers += [os.path.join(sub, f) for f in sorted(os.listdir(sub))
                if f.startswith("mpi_functions")]
    for path in headers:
        names += DECL.findall(open(path).read())
    return names


def main(sdk_dir, work_dir):
    names = declared_names(os.path.join(sdk_dir, "include"))
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        sys.exit("declared more than once: " + ", ".join(duplicates))
    if len(names) < 300:
        sys.exit("only %d declarations found: parser out of date?" % len(names))

    os.makedirs(work_dir, exist_ok=True)
    src = os.path.join(work_dir, "all_functions.c")
    out = os.path.join(work_dir, "all_functions.wasm")
    with open(src, "w") as f:
        f.write("#include <mpi.h>\ntypedef void (*AnyFn)(void);\n")
        f.write("AnyFn all_functions[] = {\n")
        f.writelines("    (AnyFn)%s,\n" % n for n in names)
        f.write("};\nint main(void) {\n")
        f.write("  volatile int i = 0;\n  return all_functions[i] == 0;\n}\n")
    cc = os.path.join(sdk_dir, "bin", "wasmhpc-cc")
    subprocess.run([cc, "-O0", "-Wall", "-Werror", src, "-o", out], check=True)

    imports, _, _ = inspect(out)
    env = {i.split()[0][len("env."):] for i in imports if i.startswith("env.")}
    missing = sorted(set(names) - env)
    extra = sorted(env - set(names))
    if missing or extra:
        sys.exit("not imported: %s\nunexpected env imports: %s" %
                 (missing, extra))
    print("%d MPI functions, all imported from env by their own name" %
          len(names))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
