#!/usr/bin/env python3
"""Writes a C program with many distinct functions, for compile-time and
code-cache benchmarks on a >= 1 MB module. usage: gen_large_module.py OUT.c [N]"""
import sys

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000
with open(out, "w") as f:
    f.write("#include <stdio.h>\n\n")
    for i in range(n):
        # Loops, branches and float math so that TurboFan has work to do.
        f.write(f"""static double kernel{i}(double* v, int n) {{
  double acc = {i % 7}.5;
  for (int j = 0; j < n; ++j) {{
    double x = v[j] * {1 + i % 13}.0 + acc;
    if (x > {100 + i}.0) acc -= x / {3 + i % 5}.0; else acc += x * 0.{i % 9 + 1};
    v[j] = acc - (j % {2 + i % 11}) * {i % 17}.25;
  }}
  return acc;
}}
""")
    f.write("static double (*const kernels[])(double*, int) = {\n")
    f.write(",\n".join(f"  kernel{i}" for i in range(n)))
    f.write("\n};\n\nint main(void) {\n  double v[8] = {1, 2, 3, 4, 5, 6, 7, 8}, sum = 0;\n")
    f.write(f"  for (int i = 0; i < {n}; ++i) sum += kernels[i](v, 8);\n")
    f.write('  printf("sum %.6e\\n", sum);\n  return 0;\n}\n')
