# Spate build entry points. Every target installs what is missing first.
# Each tree compiles only what it runs: the optimised tree $(BUILD) the
# `spate` binary (system tests, `make run`) and the benchmarks (`make bench`);
# the sanitizer tree $(ASAN_BUILD) the unit tests; $(FUZZ_BUILD) (clang) the
# libFuzzer targets of fuzz/.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja
DATA_DIR   ?= ./spate-data

.PHONY: deps configure configure-asan build build-asan run test layers unit-test system-test \
	bench bench-deps format format-check clean configure-fuzz fuzz-test

# cmake_build(<tree>, <targets>): builds the targets, then prints the tree's
# ccache hits and misses of this build (CMakeLists.txt sets CCACHE_STATSLOG).
define cmake_build
	@rm -f $(1)/ccache-stats.log
	@cmake --build $(1) -j $(JOBS) --target $(2); rc=$$?; \
	if [ -s $(1)/ccache-stats.log ]; then \
	  awk '/^direct_cache_hit$$|^preprocessed_cache_hit$$/ {h++} /^cache_miss$$/ {m++} \
	    END {printf "ccache: %d hits, %d misses compiling in $(1)\n", h, m}' $(1)/ccache-stats.log; \
	else echo "ccache: nothing compiled in $(1)"; fi; exit $$rc
endef

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSPATE_BUILD_TESTS=OFF -DSPATE_BUILD_BENCH=ON >/dev/null

configure-asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSPATE_SANITIZE=ON \
	  -DSPATE_BUILD_TESTS=ON -DSPATE_BUILD_BENCH=OFF >/dev/null

build: configure
	$(call cmake_build,$(BUILD),spate)

build-asan: configure-asan
	$(call cmake_build,$(ASAN_BUILD),unit_tests)

run: build
	./$(BUILD)/spate serve --data-dir $(DATA_DIR)

# Module dependencies point down the layer order (tools/check_layers.py);
# the checker's own tests run first. Fast, so `make test` runs it first.
layers:
	@out=$$(python3 tools/check_layers_test.py 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "layers: checker tests pass"
	@python3 tools/check_layers.py

# Unit tests run under AddressSanitizer + UBSan; system tests drive the
# optimised binary.
unit-test: build-asan
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

system-test: build
	$(call cmake_build,$(BUILD),spate_echo_serve)
	bash tests/run.sh $(BUILD)

# libFuzzer targets (fuzz/README.md), FUZZ_SECONDS (default 25) each.
configure-fuzz: deps
	@cmake -S fuzz -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_CXX_COMPILER=clang++ >/dev/null

fuzz-test: configure-fuzz
	$(call cmake_build,$(FUZZ_BUILD),all)
	bash fuzz/run.sh $(FUZZ_BUILD)

test: layers format-check unit-test system-test fuzz-test

# The benchmarks' own deps (Redis for the comparison) come first so that
# configure finds hiredis.
bench-deps:
	@bash scripts/install-bench-deps.sh

bench: bench-deps configure
	$(call cmake_build,$(BUILD),spate benches)
	bash bench/run.sh $(BUILD)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

format-check: deps
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
