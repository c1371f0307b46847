#!/usr/bin/env bash
# `spate serve` opens a fresh data directory, stops cleanly on SIGTERM, reports
# a clean previous shutdown on restart and an unclean one after SIGKILL.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

start() {
  "$SPATE_BIN" serve --data-dir "$dir/data" --kafka-listen 127.0.0.1:0 >"$dir/out" 2>&1 &
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
if "$SPATE_BIN" serve --data-dir "$dir/foreign" --kafka-listen 127.0.0.1:0 >"$dir/out2" 2>&1; then
  echo "serve accepted a foreign directory"; exit 1
fi
grep -q "not a Spate data directory" "$dir/out2"
test "$(cat "$dir/foreign/file")" = keep
