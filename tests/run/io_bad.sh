#!/usr/bin/env bash
# Runs guests/mpi_io_bad.c in a fresh directory <tmp>/root preopened as
# "." and checks that nothing outside it (nor in it, when it is read-only)
# was created or deleted.
# usage: io_bad.sh WASMHPC_RUN MPI_IO_BAD.wasm CASE
set -u
run=$1 wasm=$2 case=$3
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir "$d/root"
echo data >"$d/root/existing.dat"
case $case in
  dotdot) "$run" --dir "$d/root:." "$wasm" open ../outside ;;
  dotdot_fatal) "$run" --dir "$d/root:." "$wasm" open_fatal ../outside ;;
  absolute) "$run" --dir "$d/root:." "$wasm" open "$d/root/abs.dat" ;;
  read_only) "$run" --dir "$d/root:.:ro" "$wasm" read_only ;;
  uncommitted) "$run" --dir "$d/root:." "$wasm" uncommitted ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
rc=$?
for f in "$d/outside" "$d/root/abs.dat"; do
  if [ -e "$f" ]; then echo "FAIL: $f was created"; rc=99; fi
done
if [ "$case" = read_only ] && [ -e "$d/root/new.dat" ]; then
  echo "FAIL: new.dat was created in the read-only directory"; rc=99
fi
if [ ! -e "$d/root/existing.dat" ]; then
  echo "FAIL: existing.dat was deleted"; rc=99
fi
[ $rc -ne 99 ] && echo "host files untouched"
exit $rc
