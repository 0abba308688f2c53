#!/usr/bin/env bash
# Runs a command and checks its exit code and output.
# usage: expect.sh EXIT_CODE 'TEXT' ['TEXT'...] -- command args...
# Every TEXT must occur (fixed string) in stdout+stderr.
set -u
want_exit=$1; shift
texts=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do texts+=("$1"); shift; done
shift
out=$("$@" 2>&1)
got_exit=$?
status=0
if [ "$got_exit" != "$want_exit" ]; then
  echo "FAIL: exit code $got_exit, expected $want_exit"
  status=1
fi
for t in "${texts[@]}"; do
  if ! grep -qF -- "$t" <<<"$out"; then
    echo "FAIL: output lacks: $t"
    status=1
  fi
done
if [ $status -ne 0 ]; then
  echo "--- command: $*"
  echo "--- output:"
  echo "$out"
fi
exit $status
