#!/usr/bin/env bash
# Runs the benchmarks against the optimised build in $1 (default: build).
set -euo pipefail
build=${1:-build}
"$build/bench/storage_bench" "${@:2}"
