#!/usr/bin/env bash
# Runs the benchmarks against the optimised build in $1 (default: build):
# the storage engine benchmark (extra arguments go to it), then kafka_bench,
# group_bench and txn_bench against `spate serve` started on a free port with
# a temporary data directory and group.initial.rebalance.delay.ms=0
# (KAFKA_BENCH_ARGS, GROUP_BENCH_ARGS and TXN_BENCH_ARGS add options).
# sql_bench.sh (streaming SQL vs the consumer ceiling) runs against its own
# `spate serve` (SPATE_SQL_BENCH_* tune it, see there).
# BENCHES selects the benchmarks to run (default: "storage sql kafka group txn").
set -euo pipefail
build=${1:-build}
benches=" ${BENCHES:-storage sql kafka group txn} "
if [[ $benches == *" storage "* ]]; then
  "$build/bench/storage_bench" "${@:2}"
fi
if [[ $benches == *" sql "* ]]; then
  bash "$(dirname "$0")/sql_bench.sh" "$build"
fi
if [[ $benches != *" kafka "* && $benches != *" group "* && $benches != *" txn "* ]]; then
  exit 0
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/spate-bench.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
# group_bench times rebalances without the broker's initial delay.
initial_delay_ms=0
echo "group.initial.rebalance.delay.ms=$initial_delay_ms" >"$dir/server.properties"
"$build/spate" serve --config "$dir/server.properties" --data-dir "$dir/data" \
  --kafka-listen 127.0.0.1:0 >"$dir/serve.log" 2>&1 &
pid=$!
addr=
for _ in $(seq 1 200); do
  addr=$(grep -o 'kafka listener on [^ ]*' "$dir/serve.log" | head -1 | awk '{print $4}' || true)
  [ -n "$addr" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$addr" ]; then echo "bench: spate serve did not start:"; cat "$dir/serve.log"; exit 1; fi
if [[ $benches == *" kafka "* ]]; then
  # shellcheck disable=SC2086
  "$build/bench/kafka_bench" --bootstrap "$addr" --data-dir "$dir/data" ${KAFKA_BENCH_ARGS:-}
fi
if [[ $benches == *" group "* ]]; then
  # shellcheck disable=SC2086
  "$build/bench/group_bench" --bootstrap "$addr" \
    --broker-initial-delay-ms "$initial_delay_ms" ${GROUP_BENCH_ARGS:-}
fi
if [[ $benches == *" txn "* ]]; then
  # shellcheck disable=SC2086
  "$build/bench/txn_bench" --bootstrap "$addr" --broker-pid "$pid" ${TXN_BENCH_ARGS:-}
fi
kill -TERM "$pid"
wait "$pid"
pid=
