#!/usr/bin/env bash
# `spate serve --bootstrap HOST:PORT` runs the SQL role against another Kafka
# cluster with no local broker: a second process, pointed at the first one's
# Kafka listener, serves SQL over a topic of the first, and its catalog
# lives in that cluster (a third process sees the same objects). Also:
# --bootstrap with --kafka-listen is refused, naming the flags.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
fail() { echo "FAIL: $*"; exit 1; }
broker_start || exit 1
w=$BROKER_DIR
sql_pids=()
trap 'for p in "${sql_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; broker_kill; rm -rf "$BROKER_DIR"' EXIT

"$SPATE_BIN" topic create events --bootstrap "$BOOTSTRAP" >/dev/null || fail "topic create"
printf '%s\n' '{"n":1,"s":"a"}' '{"n":2,"s":"b"}' '{"n":3,"s":"c"}' |
  "$SPATE_BIN" produce events --bootstrap "$BOOTSTRAP" 2>/dev/null || fail "produce"

# start_sql NAME: a SQL-only server against the broker; sets PG to its port.
start_sql() {
  "$SPATE_BIN" serve --bootstrap "$BOOTSTRAP" --pg-listen 127.0.0.1:0 --http-listen off --node-id "$2" \
    >"$w/$1.out" 2>&1 &
  sql_pids+=($!)
  PG=
  for _ in $(seq 1 400); do
    PG=$(sed -n 's/^spate: pgwire listener on 127.0.0.1:\([0-9]*\)$/\1/p' "$w/$1.out")
    [ -n "$PG" ] && return 0
    kill -0 "${sql_pids[-1]}" 2>/dev/null || break
    sleep 0.05
  done
  cat "$w/$1.out"
  fail "$1: no pgwire listener"
}

start_sql first 1
grep -q "no local broker; Kafka cluster at $BOOTSTRAP" "$w/first.out" || fail "first: $(cat "$w/first.out")"
grep -q "kafka listener" "$w/first.out" && fail "a --bootstrap server opened a Kafka listener"
q() { psql -X -q -A -t -h 127.0.0.1 -p "$1" -U spate spate -c "$2"; }
q "$PG" "CREATE SOURCE events (n INT, s TEXT) WITH (topic = 'events', format = 'json')" ||
  fail "CREATE SOURCE through the --bootstrap server"
out=$(q "$PG" "SELECT n, s FROM events WHERE n >= 2 ORDER BY n")
[ "$out" = $'2|b\n3|c' ] || fail "query: $out"

# Another SQL server on the same cluster rebuilds the catalog from it.
start_sql second 2
out=$(q "$PG" "SHOW SOURCES")
[ "$out" = "events|events|json" ] || fail "second server's catalog: $out"

# --bootstrap and --kafka-listen together are refused.
if "$SPATE_BIN" serve --bootstrap "$BOOTSTRAP" --kafka-listen 127.0.0.1:0 --http-listen off >"$w/both.out" 2>&1; then
  fail "--bootstrap with --kafka-listen started"
fi
grep -q -- "--bootstrap" "$w/both.out" || fail "error does not name --bootstrap: $(cat "$w/both.out")"
echo ok
