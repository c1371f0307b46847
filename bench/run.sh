#!/usr/bin/env bash
# Runs the benchmarks against the optimised build in $1 (default: build):
# the storage engine benchmark (extra arguments go to it), then kafka_bench
# against `spate serve` started on a free port with a temporary data
# directory (KAFKA_BENCH_ARGS adds kafka_bench options).
set -euo pipefail
build=${1:-build}
"$build/bench/storage_bench" "${@:2}"

dir=$(mktemp -d "${TMPDIR:-/tmp}/spate-bench.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
"$build/spate" serve --data-dir "$dir/data" --kafka-listen 127.0.0.1:0 >"$dir/serve.log" 2>&1 &
pid=$!
addr=
for _ in $(seq 1 200); do
  addr=$(grep -o 'kafka listener on [^ ]*' "$dir/serve.log" | head -1 | awk '{print $4}' || true)
  [ -n "$addr" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$addr" ]; then echo "bench: spate serve did not start:"; cat "$dir/serve.log"; exit 1; fi
# shellcheck disable=SC2086
"$build/bench/kafka_bench" --bootstrap "$addr" --data-dir "$dir/data" ${KAFKA_BENCH_ARGS:-}
kill -TERM "$pid"
wait "$pid"
pid=
