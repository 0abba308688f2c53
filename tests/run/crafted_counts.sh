#!/usr/bin/env bash
# Modules whose vector counts claim far more entries than they have bytes
# (2^32-1 types in 15 bytes, 2^26 imports, ...): wasmhpc-run reads the
# module's imports before V8 validates it, and must refuse each with exit
# 125 "invalid module" in bounded memory (was: std::bad_alloc, or gigabytes
# for seconds). Runs under a 4 GiB address-space limit.
# usage: crafted_counts.sh WASMHPC_RUN
set -u
run=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
n=0
# module ID BODY_HEX: writes the header and one section.
module() {
  local body=$2 len
  len=$(printf '%02x' $((${#body} / 2)))
  printf "$(sed 's/../\\x&/g' <<<"0061736d01000000$1$len$body")" >"$d/m$n.wasm"
  n=$((n + 1))
}
for count in ffffffff0f 80808020; do
  for id in 01 02 03 04 07 09; do module $id $count; done
  module 01 0160$count             # a type with that many parameters
  module 01 016000$count           # ... results
  module 09 010041f0ffffff000b$count  # an element segment's entries
  module 0a $count                 # code section (V8's own parser)
done
if [ "$(stat -c %s "$d/m0.wasm")" != 15 ]; then
  echo "FAIL: the first module is not 15 bytes"; exit 1
fi
status=0
for f in "$d"/m*.wasm; do
  out=$(ulimit -v 4194304; "$run" "$f" 2>&1)
  rc=$?
  if [ $rc != 125 ] || ! grep -qF "invalid module" <<<"$out"; then
    echo "FAIL: $(od -An -tx1 "$f" | tr -d '\n'): exit $rc: $out"
    status=1
  fi
done
[ $status = 0 ] && echo "all $n crafted modules refused"
exit $status
