#!/usr/bin/env bash
# Streaming SQL throughput against the Kafka consumer ceiling:
#   bench/sql_bench.sh [BUILD_DIR]
# Starts `spate serve` (Kafka and PostgreSQL listeners on free ports, a
# temporary data directory, the broker's group.initial.rebalance.delay.ms
# SPATE_SQL_BENCH_GROUP_DELAY_MS, default 0), produces SPATE_SQL_BENCH_EVENTS Nexmark bids
# (default 10,000,000; tests/support/nexmark.py, SPATE_SQL_BENCH_JOBS producer
# processes, default 1: several interleave their ranges, so the bids arrive out
# of event-time order and many become late rows the stateful queries do not
# aggregate) into topic `bid` (SPATE_SQL_BENCH_PARTITIONS
# partitions, default 1), then measures
#   - the ceiling: kcat reading the whole topic (librdkafka, -e at the end,
#     printing each record's offset only);
#   - per query (SPATE_SQL_BENCH_QUERIES, default "q0 q1 q11 q15 q17"; sinks
#     as tests/support/nexmark.py writes them, exactly once):
#     - q0, q1 (a row per event): the time from CREATE SINK until a
#       read_committed kcat has seen every row in the sink topic (it tails
#       the topic from the start and exits after N rows);
#     - the stateful ones (q11 SESSION with EMIT ON WINDOW CLOSE, q15 and
#       q17 upsert sinks grouped by day): the time from CREATE SINK until
#       the query's consumer group committed offsets at the end of `bid`
#       (its output up to there committed in the same transactions); then
#       its state: keys and bytes from EXPLAIN ANALYZE <sink> when that
#       reports them, else the query's directory under <data>/sql-state and
#       the sink topic's distinct keys (bench/sql_bench_query.py);
#     i.e. end-to-end events/s,
# and prints events/s and the ratio to the ceiling. Needs kcat, /usr/bin/python3
# with confluent-kafka and psycopg2.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
nexmark="$here/../tests/support/nexmark.py"
events=${SPATE_SQL_BENCH_EVENTS:-10000000}
jobs=${SPATE_SQL_BENCH_JOBS:-1}
partitions=${SPATE_SQL_BENCH_PARTITIONS:-1}
queries=${SPATE_SQL_BENCH_QUERIES:-q0 q1 q11 q15 q17}
deadline_s=${SPATE_SQL_BENCH_TIMEOUT:-1800}

dir=$(mktemp -d "${TMPDIR:-/tmp}/spate-sql-bench.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# The broker's group.initial.rebalance.delay.ms (Kafka's default 3000): a new
# group's first member waits that long for others before it gets partitions.
# 0 here, as in bench/run.sh and as Kafka's docs advise for tests, so the
# rates measure the queries rather than that fixed wait; the "after its first
# commit" lines leave out the whole join either way.
group_delay_ms=${SPATE_SQL_BENCH_GROUP_DELAY_MS:-0}
echo "group.initial.rebalance.delay.ms=$group_delay_ms" >"$dir/server.properties"
"$build/spate" serve --data-dir "$dir/data" --kafka-listen 127.0.0.1:0 \
  --pg-listen 127.0.0.1:0 --config "$dir/server.properties" >"$dir/serve.log" 2>&1 &
pid=$!
kafka= pg=
for _ in $(seq 1 400); do
  kafka=$(grep -o 'kafka listener on [^ ]*' "$dir/serve.log" | head -1 | awk '{print $4}' || true)
  pg=$(grep -o 'pgwire listener on [^ ]*' "$dir/serve.log" | head -1 | awk '{print $4}' || true)
  [ -n "$kafka" ] && [ -n "$pg" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$kafka" ] || [ -z "$pg" ]; then
  echo "sql_bench: spate serve did not report both listeners:"; cat "$dir/serve.log"; exit 1
fi
sql() { "$build/spate" sql --url "postgresql://spate@$pg/spate" -c "$1" >/dev/null; }

"$build/spate" topic create bid --partitions "$partitions" --bootstrap "$kafka" >/dev/null
t0=$(now)
/usr/bin/python3 "$nexmark" produce --bootstrap "$kafka" --topic bid --count "$events" \
  --seed 1 --jobs "$jobs" 2>/dev/null
t1=$(now)
echo "sql_bench: group.initial.rebalance.delay.ms=$group_delay_ms (SPATE_SQL_BENCH_GROUP_DELAY_MS)"
echo "sql_bench: produced $events bids in $(secs "$t0" "$t1") s ($(rate "$events" "$t0" "$t1")/s, $jobs producer processes)"

# The produced log's dirty pages go to disk now, not while a query runs.
sync
t0=$(now)
# One line per record with only its offset: printing every value through a
# pipe (kcat's default format) cost kcat 2.6x the time of consuming them and
# put the "ceiling" below what the queries themselves reach.
read_count=$(kcat -C -b "$kafka" -t bid -o beginning -e -q -f '%o\n' | wc -l)
t1=$(now)
if [ "$read_count" -ne "$events" ]; then
  echo "sql_bench: kcat read $read_count of $events bids"; exit 1
fi
ceiling=$(rate "$events" "$t0" "$t1")
echo "sql_bench: ceiling (kcat consumer): $events bids in $(secs "$t0" "$t1") s, $ceiling events/s"

helper="$here/sql_bench_query.py"
# nx EXPR: prints a Python expression over tests/support/nexmark.py.
nx() { /usr/bin/python3 -c "import sys; sys.path.insert(0, '$here/../tests/support'); import nexmark; print($1)"; }
sql "$(nx "nexmark.SOURCE_SQL")"
for q in $queries; do
  kind=$(nx "nexmark.SINK_KIND['$q'][0]")
  t0=$(now)
  if ! sql "$(nx "nexmark.sink_sql('$q', options={'delivery_guarantee': 'exactly_once'})")"; then
    echo "sql_bench: $q: CREATE SINK failed (above); skipped"
    continue
  fi
  if [ "$q" = q0 ] || [ "$q" = q1 ]; then
    # The engine creates the sink topic; tail it once it exists (a topic list,
    # unlike a Metadata request naming the topic, never auto-creates it).
    until "$build/spate" topic list --bootstrap "$kafka" | grep -qx "${q}_out"; do
      if [ "$(secs "$t0" "$(now)" | cut -d. -f1)" -ge "$deadline_s" ]; then
        echo "sql_bench: sink topic ${q}_out never appeared"; exit 1
      fi
      sleep 0.1
    done
    if ! timeout "$deadline_s" kcat -C -b "$kafka" -t "${q}_out" -o beginning -q -c "$events" \
      -X isolation.level=read_committed >/dev/null; then
      echo "sql_bench: $q did not deliver $events rows within ${deadline_s}s"; exit 1
    fi
  else
    if ! first=$(/usr/bin/python3 "$helper" wait-consumed --bootstrap "$kafka" --query "$q" \
      --topic bid --timeout "$deadline_s"); then
      echo "sql_bench: $q: not done within ${deadline_s}s (above); skipped"
      sql "DROP SINK $q"
      continue
    fi
  fi
  t1=$(now)
  r=$(rate "$events" "$t0" "$t1")
  echo "sql_bench: $q: $events events in $(secs "$t0" "$t1") s, $r events/s," \
    "$(awk -v r="$r" -v c="$ceiling" 'BEGIN { printf "%.2f", r / c }') x the consumer ceiling"
  if [ "$kind" != append ] && [ -n "$first" ]; then
    # The same run without the start: from the first commit seen (after the
    # group's join and its initial rebalance delay) to the end.
    read -r _ tf off <<<"$first"
    echo "sql_bench: $q: after its first commit: $((events - off)) events in" \
      "$(secs "$tf" "$t1") s, $(rate "$((events - off))" "$tf" "$t1") events/s"
  fi
  if [ "$kind" != append ]; then
    upsert=
    [ "$kind" = upsert ] && upsert=--upsert
    read -r keys bytes how < <(/usr/bin/python3 "$helper" state --bootstrap "$kafka" --pg "$pg" \
      --query "$q" --state-dir "$dir/data/sql-state" $upsert)
    per_key=$(awk -v k="$keys" -v b="$bytes" 'BEGIN { if (k > 0) printf "%.0f", b / k; else printf "n/a" }')
    echo "sql_bench: $q state: $keys keys, $bytes bytes, $per_key bytes per key ($how)"
  fi
  sql "DROP SINK $q"
done
kill -TERM "$pid"
wait "$pid"
pid=
