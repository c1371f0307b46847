#!/usr/bin/env bash
# `spate serve` opens a fresh data directory, stops cleanly on SIGTERM, reports
# a clean previous shutdown on restart and an unclean one after SIGKILL.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

start() {
  # A fresh output file: "ready" of the previous run must not count.
  rm -f "$dir/out"
  "$SPATE_BIN" serve --data-dir "$dir/data" --kafka-listen 127.0.0.1:0 --pg-listen 127.0.0.1:0 --http-listen off >"$dir/out" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    grep -q "ready" "$dir/out" && return 0
    sleep 0.05
  done
  echo "serve did not become ready:"; cat "$dir/out"; return 1
}

start
grep -q "clean shutdown before" "$dir/out"
kill -TERM "$pid"; wait "$pid"
test -f "$dir/data/.clean-shutdown"

start
grep -q "clean shutdown before" "$dir/out"
test ! -f "$dir/data/.clean-shutdown"
kill -KILL "$pid"; wait "$pid" || true

start
grep -q "unclean, recovered" "$dir/out"
kill -TERM "$pid"; wait "$pid"

# A foreign non-empty directory is refused, and left untouched.
mkdir -p "$dir/foreign" && echo keep >"$dir/foreign/file"
if "$SPATE_BIN" serve --data-dir "$dir/foreign" --kafka-listen 127.0.0.1:0 --pg-listen 127.0.0.1:0 --http-listen off >"$dir/out2" 2>&1; then
  echo "serve accepted a foreign directory"; exit 1
fi
grep -q "not a Spate data directory" "$dir/out2"
test "$(cat "$dir/foreign/file")" = keep

# --kafka-listen off: the platform runs without a Kafka listener.
"$SPATE_BIN" serve --data-dir "$dir/off" --kafka-listen off >"$dir/out3" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q "ready" "$dir/out3" && break; sleep 0.05; done
grep -q "ready" "$dir/out3"
if grep -q "kafka listener" "$dir/out3"; then echo "a Kafka listener with --kafka-listen off"; exit 1; fi
kill -TERM "$pid"; wait "$pid"

# A Kafka port already in use stops the start with an error naming the flag.
start
port=$(sed -n 's/^spate: kafka listener on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/out")
if "$SPATE_BIN" serve --data-dir "$dir/busy" --kafka-listen "127.0.0.1:$port" --pg-listen 127.0.0.1:0 --http-listen off >"$dir/out4" 2>&1; then
  echo "a second broker started on a busy port"; exit 1
fi
grep -q -- "--kafka-listen 127.0.0.1:$port: .*in use" "$dir/out4" || { cat "$dir/out4"; exit 1; }
kill -TERM "$pid"; wait "$pid"
