#!/usr/bin/env bash
# Installs what wasmhpc needs on Debian 12: Debian packages (only the missing
# ones, via apt-get) and V8 from Debian's libnode108 + libnode-dev, unpacked
# into a project-local prefix (never replacing the machine's Node.js).
# Idempotent: a second run checks and returns in well under a second.
#
# Usage: deploy/local/install-deps.sh [V8_PREFIX]   (default: .deps/v8)
# With WASMHPC_BENCH=1 it also installs what `make bench` needs (plots).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
v8_prefix=${1:-$top/.deps/v8}

packages=(
  # build
  cmake make ninja-build pkg-config g++ python3 git
  # tests: tests/deploy reads the Kubernetes manifests; tests/service mints
  # a JWT with PyJWT and checks the REST answers against the OpenAPI
  # document with jsonschema
  python3-yaml python3-jwt python3-jsonschema
  # host libraries
  libabsl-dev libgtest-dev libgmock-dev libssl-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  librocksdb-dev libcpp-httplib-dev
  # JWT bearer tokens (wasmhpc-head --jwt-key; libjwt over OpenSSL)
  libjwt-dev
  # command lines (CLI11) and the log (spdlog) of every binary
  libcli11-dev libspdlog-dev
  libopenmpi-dev openmpi-bin
  # V8 runtime dependencies (libnode.so.108 links them)
  libicu72 libuv1 libc-ares2 libnghttp2-14 libbrotli1 libssl3
  # guest toolchain: clang for wasm32-wasi, wasi-libc, runtimes, wabt for tests
  clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
  libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 wabt
  # the SDK's wasmhpc-ar/-ranlib/-nm (llvm-ar-14...); tests/sdk builds an
  # autoconf package and a Meson project with the SDK
  llvm-14 autoconf automake meson
  # fuzz/ and the check build: libFuzzer and the ASan/UBSan runtimes for
  # clang-14; make format and format-check: clang-format-14
  libfuzzer-14-dev libclang-rt-14-dev clang-format-14
  # tests/slurm: a one-node Slurm (22.05) with munge, started by the test
  slurmctld slurmd slurm-client munge
  # tests/service: the REST API over HTTPS, reached as a user would (curl);
  # client-cli's tests run the zsh completion script in zsh
  curl zsh
  # python/: the wasmhpc package (gRPC stubs generated at build time with
  # grpc_tools); examples/snakemake and its test
  python3-grpcio python3-grpc-tools python3-protobuf snakemake
)

if [ "${WASMHPC_BENCH:-0}" = 1 ]; then
  packages+=(python3-matplotlib)
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}"
fi

lib="$v8_prefix/usr/lib/x86_64-linux-gnu/libnode.so.108"
if [ ! -f "$lib" ] || [ ! -f "$v8_prefix/usr/include/node/v8.h" ]; then
  echo "install-deps: unpacking V8 (libnode108, libnode-dev) into $v8_prefix"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  chmod 777 "$work"  # apt-get download runs as _apt where it can
  (cd "$work" && apt-get download -q libnode108 libnode-dev 2>&1 |
    grep -v "unsandboxed" || true)
  mkdir -p "$(dirname "$v8_prefix")"
  rm -rf "$v8_prefix.tmp"
  for deb in "$work"/*.deb; do dpkg -x "$deb" "$v8_prefix.tmp"; done
  [ -f "$v8_prefix.tmp/usr/lib/x86_64-linux-gnu/libnode.so.108" ] ||
    { echo "install-deps: libnode108 did not unpack" >&2; exit 1; }
  rm -rf "$v8_prefix"
  mv "$v8_prefix.tmp" "$v8_prefix"
fi
