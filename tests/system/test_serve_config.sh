#!/usr/bin/env bash
# `spate serve --config FILE`: an unknown key or a bad value stops the start
# with exit status 2 and an error naming the file, line and key; a valid file
# starts the broker.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

expect_refused() {  # properties text, expected message
  printf '%s\n' "$1" >"$dir/server.properties"
  local rc=0
  timeout 20 "$SPATE_BIN" serve --config "$dir/server.properties" --data-dir "$dir/data" \
    --kafka-listen 127.0.0.1:0 --pg-listen 127.0.0.1:0 --http-listen off >"$dir/out" 2>&1 || rc=$?
  if [ "$rc" -ne 2 ]; then
    echo "expected exit status 2, got $rc for:"; cat "$dir/server.properties"; cat "$dir/out"
    exit 1
  fi
  if ! grep -qF "$2" "$dir/out"; then
    echo "expected '$2' in:"; cat "$dir/out"; exit 1
  fi
}

expect_refused $'num.partitions=2\nfoo.bar=1' \
  "$dir/server.properties:2: unknown configuration key 'foo.bar'"
expect_refused 'num.partitions=zero' \
  "$dir/server.properties:1: num.partitions: invalid value 'zero' (valid: [1, 1048576])"
expect_refused $'# comment\nlog.retention.ms=-5' \
  "$dir/server.properties:2: log.retention.ms: invalid value '-5' (valid: [-1, ...])"
test ! -e "$dir/data"  # refused before the data directory is created

# A valid file: broker keys, broker-level topic defaults and topic config names.
printf '%s\n' 'num.partitions=3' 'log.retention.hours=2' 'segment.bytes=1048576' \
  'auto.create.topics.enable=false' >"$dir/server.properties"
"$SPATE_BIN" serve --config "$dir/server.properties" --data-dir "$dir/data" \
  --kafka-listen 127.0.0.1:0 --pg-listen 127.0.0.1:0 --http-listen off >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  grep -q "ready" "$dir/out" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
grep -q "ready" "$dir/out" || { echo "serve did not become ready:"; cat "$dir/out"; exit 1; }
kill -TERM "$pid"
wait "$pid"
