# wasmhpc: the user's entry points. Each target installs what is missing,
# configures and builds first, so `make demo` and `make test` work on a fresh
# Debian 12 machine. Re-running is fast: install-deps only checks, CMake and
# Ninja rebuild only what changed.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
# The libFuzzer harnesses (fuzz/): clang, ASan + UBSan, their own build.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
# The check build: clang-14 with -Wthread-safety -Werror, ASan + UBSan
# (WASMHPC_CHECKS in CMakeLists.txt); `make test` runs the unit tests in it.
CHECK_BUILD ?= build-check
# The sources clang-format keeps in shape (.clang-format).
FORMAT_FILES = git ls-files '*.h' '*.cc' '*.c'
CLANG_FORMAT = clang-format-14

.PHONY: all deps configure build test demo bench format format-check clean \
  fuzz fuzz-build check-build

all: build

deps:
	@deploy/local/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The format check; the unit and end-to-end tests; the unit tests again
# under ASan + UBSan (the check build); every fuzz harness briefly (10 s).
test: format-check build check-build fuzz-build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300
	cd $(CHECK_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300 \
	  -LE e2e
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

$(CHECK_BUILD)/build.ninja: | deps
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(CHECK_BUILD) -G Ninja \
	  -DWASMHPC_CHECKS=ON

check-build: deps $(CHECK_BUILD)/build.ninja
	cmake --build $(CHECK_BUILD) -j $(JOBS)

$(FUZZ_BUILD)/build.ninja: | deps
	CC=clang-14 CXX=clang++-14 cmake -S fuzz -B $(FUZZ_BUILD) -G Ninja

fuzz-build: deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Every harness for FUZZ_SECONDS each; fails if any crashes (the input is
# kept in $(FUZZ_BUILD)/crashes/, what they found in $(FUZZ_BUILD)/corpus/).
fuzz: fuzz-build
	cd $(FUZZ_BUILD) && FUZZ_SECONDS=$(FUZZ_SECONDS) ctest \
	  --output-on-failure -j $(JOBS) --timeout $$(($(FUZZ_SECONDS) + 300))

demo: build
	@deploy/local/demo.sh $(BUILD)

bench: build
	@WASMHPC_BENCH=1 deploy/local/install-deps.sh
	@bench/run.sh $(BUILD)

format:
	$(FORMAT_FILES) | xargs $(CLANG_FORMAT) -i

# Fails naming each source `make format` would change.
format-check:
	@out=$$($(FORMAT_FILES) | xargs $(CLANG_FORMAT) --dry-run -Werror 2>&1) \
	  && exit 0; \
	bad=$$(echo "$$out" | sed -n 's/^\([^ :]*\):[0-9:]*: error: code should be clang-formatted.*/\1/p' | sort -u); \
	echo "not clang-format clean (run \`make format\`):"; \
	echo "$${bad:-$$out}" | sed 's/^/  /'; exit 1

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(CHECK_BUILD)
