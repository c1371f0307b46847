#!/usr/bin/env bash
# `spate topic|produce|consume` against `spate serve`: topic admin (create with
# configs, list, describe, alter-config, delete-records, delete), keyed
# produce with headers, consume from beginning/offset/timestamp, error exits.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
broker_start || exit 1
spate() { "$SPATE_BIN" "$@" --bootstrap "$BOOTSTRAP"; }
w=$BROKER_DIR

spate topic create cli-a --partitions 3 --config retention.ms=123456 || fail "create"
spate topic create cli-b || fail "create b"
spate topic list >"$w/list" || fail "list"
grep -qx cli-a "$w/list" && grep -qx cli-b "$w/list" || fail "list lacks topics: $(cat "$w/list")"

# Creating an existing topic fails with the broker's error.
if spate topic create cli-a 2>"$w/err"; then fail "duplicate create succeeded"; fi
grep -q TOPIC_ALREADY_EXISTS "$w/err" || fail "duplicate create message: $(cat "$w/err")"

spate topic describe cli-a >"$w/desc" || fail "describe: $(cat "$w/desc")"
grep -q "Partitions: 3" "$w/desc" || fail "describe partitions: $(cat "$w/desc")"
[ "$(grep -c 'Partition: ' "$w/desc")" -eq 3 ] || fail "describe partition lines"
grep -q "Partition: 2	Leader: [0-9]" "$w/desc" || fail "describe leader: $(cat "$w/desc")"
grep -qx "	retention.ms=123456" "$w/desc" || fail "describe config override: $(cat "$w/desc")"

spate topic alter-config cli-a --set segment.bytes=1048576 --delete retention.ms || fail "alter-config"
spate topic describe cli-a >"$w/desc2" || fail "describe after alter"
grep -qx "	segment.bytes=1048576" "$w/desc2" || fail "alter set not visible: $(cat "$w/desc2")"
grep -q "retention.ms=123456" "$w/desc2" && fail "alter delete not applied: $(cat "$w/desc2")"

# Keyed produce with headers into partition 1, then read it back.
seq 1 1000 | sed 's/.*/k&|value &/' >"$w/in"
spate produce cli-a --partition 1 --key-separator '|' --header src=cli --header n=1 \
  --compression lz4 <"$w/in" 2>"$w/perr" || fail "produce: $(cat "$w/perr")"
grep -q "1000 records delivered" "$w/perr" || fail "produce summary: $(cat "$w/perr")"
spate consume cli-a --from-beginning --count 1000 --print-key --print-headers --separator '|' \
  --timeout-ms 10000 >"$w/out" || fail "consume"
sed 's/^\(k[0-9]*\)|\(.*\)$/\1|src=cli,n=1|\2/' "$w/in" | cmp - "$w/out" || fail "consumed differs"

# --offset on one partition.
spate consume cli-a --partition 1 --offset 990 --count 10 --timeout-ms 10000 >"$w/tail" || fail "consume --offset"
[ "$(cat "$w/tail")" = "$(seq 991 1000 | sed 's/^/value /')" ] || fail "offset 990 read: $(cat "$w/tail")"

# --timestamp: from the timestamp of record 500 onwards at least 501 records.
ts=$(spate consume cli-a --partition 1 --offset 500 --count 1 --print-timestamp --timeout-ms 10000 | cut -f1)
[ -n "$ts" ] || fail "no timestamp"
spate consume cli-a --partition 1 --timestamp "$ts" --timeout-ms 1500 >"$w/ts" || fail "consume --timestamp"
n=$(wc -l <"$w/ts")
[ "$n" -ge 501 ] && [ "$n" -le 1000 ] || fail "timestamp read returned $n records"
grep -qx "value 501" "$w/ts" || fail "timestamp read lacks record 501"

# Delete records: the log start moves to 600.
spate topic delete-records cli-a --partition 1 --before 600 >"$w/dr" || fail "delete-records"
grep -q "low watermark 600" "$w/dr" || fail "delete-records output: $(cat "$w/dr")"
first=$(spate consume cli-a --partition 1 --from-beginning --count 1 --timeout-ms 10000)
[ "$first" = "value 601" ] || fail "first record after delete-records: '$first'"

# A plain (unkeyed) line-per-record produce and default acks.
printf 'one\ntwo\nthree\n' | spate produce cli-b 2>/dev/null || fail "produce b"
[ "$(spate consume cli-b --from-beginning --count 3 --print-key --timeout-ms 10000)" = \
  "$(printf 'null\tone\nnull\ttwo\nnull\tthree')" ] || fail "consume b"

# Errors exit non-zero with a message.
if echo x | spate produce no-such-topic 2>"$w/e1"; then fail "produce to missing topic succeeded"; fi
grep -q "no-such-topic" "$w/e1" || fail "missing-topic message: $(cat "$w/e1")"
if spate consume no-such-topic --timeout-ms 1000 2>"$w/e2"; then fail "consume missing topic succeeded"; fi
if spate consume cli-a --partition 7 2>/dev/null; then fail "consume missing partition succeeded"; fi
if echo x | spate produce cli-a --key-separator '|' 2>"$w/e3"; then fail "line without separator accepted"; fi
grep -q "line 1" "$w/e3" || fail "separator message: $(cat "$w/e3")"
if "$SPATE_BIN" topic list --bootstrap 127.0.0.1:1 2>"$w/e4"; then fail "unreachable broker succeeded"; fi
grep -q "cannot reach" "$w/e4" || fail "unreachable message: $(cat "$w/e4")"
"$SPATE_BIN" produce t --acks 2 2>/dev/null; [ $? -eq 2 ] || fail "usage error exit code"

spate topic delete cli-b || fail "delete"
spate topic list >"$w/list2" || fail "list 2"
grep -qx cli-b "$w/list2" && fail "deleted topic still listed"
broker_stop || exit 1
echo ok
