#!/usr/bin/env bash
# kcat balanced consumers (-G): two `kcat -G` processes in one group split a
# 6-partition topic (3 partitions each, disjoint), read every record exactly
# once between them and commit on exit (auto commit); the committed offsets
# (OffsetFetch) equal the end of every partition; a second `kcat -G` run of
# the group resumes there and reads exactly the records produced since.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
TOPIC=kg-topic
GROUP=kg-group
N=3000
M=600
kcat_pids=()
cleanup() {
  local p
  for p in ${kcat_pids[@]+"${kcat_pids[@]}"}; do kill -KILL "$p" 2>/dev/null || true; done
  broker_kill
  rm -rf "$BROKER_DIR"
}
trap 'rc=$?; cleanup; exit $rc' EXIT
w=$BROKER_DIR

broker_config group.initial.rebalance.delay.ms=0 group.min.session.timeout.ms=1000
broker_start || fail "broker start"
"$SPATE_BIN" topic create "$TOPIC" --partitions 6 --bootstrap "$BOOTSTRAP" >/dev/null || fail "create $TOPIC"

group_consumer() {  # name, extra kcat args...: runs in the background, output in $w/NAME.{out,err}
  local name=$1
  shift
  kcat -b "$BOOTSTRAP" -G "$GROUP" -u -f '%p\t%o\t%s\n' \
    -X auto.offset.reset=earliest -X session.timeout.ms=6000 -X heartbeat.interval.ms=300 \
    -X auto.commit.interval.ms=200 -X partition.assignment.strategy=range "$@" "$TOPIC" \
    >"$w/$name.out" 2>"$w/$name.err" &
  kcat_pids+=($!)
}

# Partitions named in the last "rebalanced ... assigned:" line of NAME.err.
assigned() {
  grep 'rebalanced' "$w/$1.err" 2>/dev/null | tail -1 | grep 'assigned:' | grep -o "$TOPIC \[[0-9]*\]" |
    tr -dc '0-9\n' | sort -n | tr '\n' ' ' || true
}

wait_for() {  # timeout-seconds, description, command...
  local limit=$1 what=$2
  shift 2
  local end=$((SECONDS + limit))
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || fail "timed out after ${limit}s waiting for $what"
    sleep 0.1
  done
}

balanced() {
  local a b
  a=$(assigned a)
  b=$(assigned b)
  [ "$(echo "$a" | wc -w)" -eq 3 ] && [ "$(echo "$b" | wc -w)" -eq 3 ] &&
    [ "$(echo "$a $b" | tr ' ' '\n' | grep -c .)" -eq 6 ] &&
    [ "$(echo "$a $b" | tr ' ' '\n' | grep . | sort -u | wc -l)" -eq 6 ]
}

# Kafka-protocol OffsetFetch through librdkafka (kcat cannot read a group's offsets).
committed() {
  /usr/bin/python3 - "$BOOTSTRAP" "$GROUP" "$TOPIC" <<'EOF'
import sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": sys.argv[2]})
for tp in c.committed([TopicPartition(sys.argv[3], p) for p in range(6)], timeout=20):
    print("%d\t%d" % (tp.partition, tp.offset))
c.close()
EOF
}

count_lines() { cat "$@" 2>/dev/null | wc -l; }
owns_all() { [ "$(assigned "$1" | wc -w)" -eq 6 ]; }
read_at_least() { [ "$(count_lines "$w/a.out" "$w/b.out")" -ge "$1" ]; }
exited() { ! kill -0 "$1" 2>/dev/null; }

# 1. Two balanced consumers share the topic.
group_consumer a
wait_for 30 "the first kcat to own all partitions" owns_all a
group_consumer b
wait_for 30 "both kcat consumers to own 3 partitions each" balanced
seq 0 $((N - 1)) | awk '{ printf "%d:a-%d\n", $1, $1 }' |
  kcat -b "$BOOTSTRAP" -P -t "$TOPIC" -K : -X acks=all -X linger.ms=5 || fail "produce"
wait_for 30 "$N records read by the two consumers" read_at_least "$N"
sleep 0.5  # anything read twice would show up now
balanced || fail "rebalanced while consuming: a=$(assigned a) b=$(assigned b)"
kill -TERM "${kcat_pids[@]}"
for p in "${kcat_pids[@]}"; do wait "$p" || true; done
kcat_pids=()

total=$(count_lines "$w/a.out" "$w/b.out")
[ "$total" -eq "$N" ] || fail "read $total records for $N produced"
uniq=$(cut -f3 "$w/a.out" "$w/b.out" | sort -u | wc -l)
[ "$uniq" -eq "$N" ] || fail "$uniq distinct records among $total read"
cmp <(cut -f3 "$w/a.out" "$w/b.out" | sort) <(seq 0 $((N - 1)) | sed 's/^/a-/' | sort) || fail "records differ"
pa=$(cut -f1 "$w/a.out" | sort -nu | tr '\n' ' ')
pb=$(cut -f1 "$w/b.out" | sort -nu | tr '\n' ' ')
[ -n "$pa" ] && [ -n "$pb" ] || fail "a consumer read nothing: a=[$pa] b=[$pb]"
[ -z "$(comm -12 <(echo "$pa" | tr ' ' '\n' | grep .) <(echo "$pb" | tr ' ' '\n' | grep .))" ] ||
  fail "a partition read by both consumers: a=[$pa] b=[$pb]"
echo "verified: two kcat -G consumers split 6 partitions ($pa| $pb) and read $N records exactly once"

# 2. Offsets committed on exit = the end of every partition.
cut -f1,2 "$w/a.out" "$w/b.out" | sort -k1,1n -k2,2n |
  awk -F'\t' '{ last[$1] = $2 } END { for (p = 0; p < 6; p++) printf "%d\t%d\n", p, (p in last) ? last[p] + 1 : -1001 }' \
  >"$w/want-committed"
committed >"$w/committed" || fail "OffsetFetch"
cmp "$w/committed" "$w/want-committed" ||
  fail "committed offsets $(tr '\n' ' ' <"$w/committed") != read ends $(tr '\n' ' ' <"$w/want-committed")"
echo "verified: committed offsets $(tr '\t\n' ': ' <"$w/committed")= one past the last record read"

# 3. A new run of the group resumes at the committed offsets.
seq 0 $((M - 1)) | awk '{ printf "%d:b-%d\n", $1, $1 }' |
  kcat -b "$BOOTSTRAP" -P -t "$TOPIC" -K : -X acks=all -X linger.ms=5 || fail "produce 2"
group_consumer c -e
wait_for 30 "the resumed kcat to exit at the end of its partitions" exited "${kcat_pids[0]}"
wait "${kcat_pids[0]}" || fail "kcat -G -e exited non-zero: $(tail -5 "$w/c.err")"
kcat_pids=()
cmp <(cut -f3 "$w/c.out" | sort) <(seq 0 $((M - 1)) | sed 's/^/b-/' | sort) ||
  fail "second run read $(count_lines "$w/c.out") records, not exactly the $M new ones: $(cut -f3 "$w/c.out" | grep -c '^a-' || true) old"
echo "verified: a second kcat -G run resumed at the committed offsets and read exactly the $M new records"

broker_stop || fail "broker stop"
echo ok
