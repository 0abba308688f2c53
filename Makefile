# wasmhpc: the user's entry points. Each target installs what is missing,
# configures and builds first, so `make demo` and `make test` work on a fresh
# Debian 12 machine. Re-running is fast: install-deps only checks, CMake and
# Ninja rebuild only what changed.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test demo bench format clean

all: build

deps:
	@deploy/local/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

demo: build
	@deploy/local/demo.sh $(BUILD)

bench: build
	@WASMHPC_BENCH=1 deploy/local/install-deps.sh
	@bench/run.sh $(BUILD)

format:
	git ls-files '*.h' '*.cc' '*.c' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
