#!/usr/bin/env python3
"""Runs two commands and compares their outputs number by number.

usage: compare_numbers.py [--rtol R] [--ignore REGEX] -- CMD_A... -- CMD_B...

Lines matching --ignore (e.g. timings) are dropped. The remaining lines must
have the same words; numbers may differ by the relative tolerance (default:
exact). Both commands must exit 0. Exits 1 with a diff-like report otherwise.
"""
import re
import subprocess
import sys

NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {proc.returncode}\n"
                 f"{proc.stdout}{proc.stderr}")
    return proc.stdout


def words_match(a, b, rtol):
    if a == b:
        return True
    if not (NUMBER.match(a) and NUMBER.match(b)):
        return False
    x, y = float(a), float(b)
    return abs(x - y) <= rtol * max(abs(x), abs(y))


def main(argv):
    rtol, ignore = 0.0, None
    while argv and argv[0] != "--":
        flag, value, argv = argv[0], argv[1], argv[2:]
        if flag == "--rtol":
            rtol = float(value)
        elif flag == "--ignore":
            ignore = re.compile(value)
        else:
            sys.exit(f"unknown flag {flag}")
    split = argv.index("--", 1)
    cmd_a, cmd_b = argv[1:split], argv[split + 1:]
    out = [run(cmd_a), run(cmd_b)]
    lines = [[l for l in o.splitlines() if not (ignore and ignore.search(l))]
             for o in out]
    ok = len(lines[0]) == len(lines[1]) and len(lines[0]) > 0
    for la, lb in zip(*lines):
        wa, wb = la.split(), lb.split()
        if len(wa) != len(wb) or not all(
                words_match(a, b, rtol) for a, b in zip(wa, wb)):
            print(f"DIFF:\n  a: {la}\n  b: {lb}")
            ok = False
    if not ok:
        print("--- a:\n" + out[0] + "--- b:\n" + out[1])
        return 1
    print(f"{len(lines[0])} lines match (rtol {rtol})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
