# Spate build entry points. Every target installs what is missing first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja
DATA_DIR   ?= ./spate-data

.PHONY: deps build build-asan run test unit-test system-test bench format format-check clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSPATE_SANITIZE=ON -DSPATE_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

run: build
	./$(BUILD)/spate serve --data-dir $(DATA_DIR)

# Unit tests run under AddressSanitizer + UBSan; system tests drive the
# optimised binary.
unit-test: build-asan
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

system-test: build
	bash tests/run.sh $(BUILD)

test: format-check unit-test system-test

bench: build
	bash bench/run.sh $(BUILD)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

format-check: deps
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
