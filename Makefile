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

.PHONY: all deps configure build test demo bench format clean fuzz fuzz-build

all: build

deps:
	@deploy/local/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The unit and end-to-end tests, then every fuzz harness briefly (10 s).
test: build fuzz-build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

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
	git ls-files '*.h' '*.cc' '*.c' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
