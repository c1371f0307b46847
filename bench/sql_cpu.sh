#!/usr/bin/env bash
# CPU time per event of one continuous query, per thread, for before/after
# comparisons on a loaded machine (wall-clock rates there say little):
#   bench/sql_cpu.sh prepare DIR EVENTS BINARY
#       starts `spate serve` on DIR/template, produces EVENTS Nexmark bids
#       (tests/support/nexmark.py, seed 1, one producer: in event-time order,
#       no late rows) into topic `bid` (one partition),
#       stops it: the template data directory every run starts from.
#   bench/sql_cpu.sh run DIR BINARY QUERY [WITH-OPTIONS]
#       copies DIR/template, starts BINARY serve on it, creates QUERY's sink
#       (exactly once; WITH-OPTIONS e.g. "commit_interval_ms=1000"), waits
#       until its group committed offsets at the end of its input and
#       repartition topics (bench/sql_bench_query.py), then prints the wall
#       time, events/s and the CPU microseconds per event of every thread
#       group of the process (by thread name: the query thread is
#       `sql:<query>`, librdkafka's `rdk:*`; the broker's are `spate`).
#       SQL_CPU_PERF=FILE records the query thread with perf (dwarf);
#       SQL_CPU_PERF_EVENT replaces its "-F 999" (e.g. "-e sched:sched_switch").
# Needs /usr/bin/python3 with confluent-kafka and psycopg2.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
nexmark="$here/../tests/support/nexmark.py"
cmd=$1
dir=$2
pid=

start_serve() {  # BINARY DATA-DIR LOG
  "$1" serve --data-dir "$2" --kafka-listen 127.0.0.1:0 --pg-listen 127.0.0.1:0 \
    --http-listen off >"$3" 2>&1 &
  pid=$!
  kafka= pg=
  for _ in $(seq 1 400); do
    kafka=$(grep -o 'kafka listener on [^ ]*' "$3" | head -1 | awk '{print $4}' || true)
    pg=$(grep -o 'pgwire listener on [^ ]*' "$3" | head -1 | awk '{print $4}' || true)
    [ -n "$kafka" ] && [ -n "$pg" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "sql_cpu: spate serve did not start:"
  cat "$3"
  exit 1
}

stop_serve() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  pid=
}
trap stop_serve EXIT

case "$cmd" in
prepare)
  events=$3 bin=$4
  rm -rf "$dir/template"
  mkdir -p "$dir"
  start_serve "$bin" "$dir/template" "$dir/prepare.log"
  "$bin" topic create bid --partitions 1 --bootstrap "$kafka" >/dev/null
  /usr/bin/python3 "$nexmark" produce --bootstrap "$kafka" --topic bid --count "$events" \
    --seed 1 --jobs 1 2>/dev/null
  stop_serve
  echo "$events" >"$dir/events"
  ;;
run)
  bin=$3 q=$4 extra=${5:-}
  events=$(cat "$dir/events")
  rm -rf "$dir/run"
  cp -a "$dir/template" "$dir/run"
  start_serve "$bin" "$dir/run" "$dir/run.log"
  sql() { "$bin" sql --url "postgresql://spate@$pg/spate" -c "$1" >/dev/null; }
  sql "$(/usr/bin/python3 "$nexmark" sql 2>/dev/null | head -1)"
  opts="{'delivery_guarantee': 'exactly_once'"
  for kv in $extra; do opts="$opts, '${kv%%=*}': '${kv#*=}'"; done
  opts="$opts}"
  create=$(/usr/bin/python3 -c "import sys; sys.path.insert(0, '$here/../tests/support'); \
import nexmark; print(nexmark.sink_sql('$q', options=$opts))")
  # CPU before the query starts (the broker's start, the source's DDL).
  cpu_of() {
    for t in /proc/"$pid"/task/*; do
      awk '{ s = $0; sub(/^[0-9]+ \(/, "", s); n = s; sub(/\) .*/, "", n); sub(/^.*\) /, "", s);
        split(s, f, " "); print n "\t" f[12] + f[13] }' "$t/stat" 2>/dev/null || true
    done | awk -F'\t' '{ if ($1 !~ /^sql:/) sub(/[0-9]+$/, "", $1); c[$1] += $2 } END { for (k in c) print k "\t" c[k] }'
  }
  cpu_of >"$dir/cpu0"
  t0=$(date +%s.%N)
  sql "$create"
  perf_pid=
  if [ -n "${SQL_CPU_PERF:-}" ]; then
    # SQL_CPU_PERF=FILE: perf record (dwarf call graphs) of the query thread.
    tid=
    for _ in $(seq 1 200); do
      tid=$(grep -l "^sql:$q\$" /proc/"$pid"/task/*/comm 2>/dev/null | head -1 | cut -d/ -f5 || true)
      [ -n "$tid" ] && break
      sleep 0.05
    done
    perf record ${SQL_CPU_PERF_EVENT:--F 999} --call-graph dwarf,16384 -t "$tid" -o "$SQL_CPU_PERF" 2>/dev/null &
    perf_pid=$!
  fi
  first=$(/usr/bin/python3 "$here/sql_bench_query.py" wait-consumed --bootstrap "$kafka" \
    --query "$q" --topic bid --timeout 1800)
  t1=$(date +%s.%N)
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
  cpu_of >"$dir/cpu1"
  hz=$(getconf CLK_TCK)
  awk -v n="$events" -v a="$t0" -v b="$t1" -v q="$q" 'BEGIN {
    printf "sql_cpu: %s: %d events in %.2f s, %.0f events/s\n", q, n, b - a, n / (b - a) }'
  if [ -n "$first" ]; then
    read -r _ tf off <<<"$first"
    awk -v n="$events" -v o="$off" -v a="$tf" -v b="$t1" 'BEGIN {
      printf "  after the first commit: %d events in %.2f s, %.0f events/s\n", n - o, b - a,
        (n - o) / (b - a) }'
  fi
  awk -F'\t' -v n="$events" -v hz="$hz" 'NR == FNR { before[$1] = $2; next }
    { d = $2 - before[$1]; if (d <= 0) next; total += d;
      printf "  %-16s %7.2f s  %6.2f us/event\n", $1, d / hz, d / hz * 1e6 / n }
    END { printf "  %-16s %7.2f s  %6.2f us/event\n", "total", total / hz, total / hz * 1e6 / n }' \
    "$dir/cpu0" "$dir/cpu1"
  stop_serve
  ;;
*)
  echo "usage: $0 prepare DIR EVENTS BINARY | run DIR BINARY QUERY [WITH-OPTIONS]"
  exit 2
  ;;
esac
