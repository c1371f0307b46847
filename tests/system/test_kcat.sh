#!/usr/bin/env bash
# kcat (librdkafka): 100,000 keyed records with headers per compression codec,
# read back identical (keys, values, headers; timestamps stable across reads),
# offsets listed (earliest/latest/by timestamp), records deleted (via
# `spate topic delete-records`: kcat has no admin API), everything re-read
# after a SIGTERM restart on the same data directory.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
N=${SPATE_TEST_RECORDS:-100000}
broker_start || exit 1
w=$BROKER_DIR
kc() { kcat -b "$BOOTSTRAP" -X linger.ms=5 -X batch.size=1000000 "$@"; }
query() { kcat -b "$BOOTSTRAP" -Q -t "$1:0:$2" | awk '{print $NF}'; }

seq 0 $((N - 1)) | awk '{ printf "key-%d\tvalue-%d-%s\n", $1, $1, substr("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1, $1 % 50) }' >"$w/in"
for codec in none gzip snappy lz4 zstd; do
  t=kcat-$codec
  "$SPATE_BIN" topic create "$t" --bootstrap "$BOOTSTRAP" || fail "create $t"
  t0=$(($(date +%s%3N) - 1))
  kc -P -t "$t" -p 0 -z "$codec" -K $'\t' -H "codec=$codec" -H src=kcat -X acks=all <"$w/in" \
    || fail "kcat produce $codec"
  t1=$(($(date +%s%3N) + 1))
  kc -C -t "$t" -o beginning -e -q -f '%o\t%T\t%k\t%s\t%h\n' >"$w/out-$codec" || fail "kcat consume $codec"
  [ "$(wc -l <"$w/out-$codec")" -eq "$N" ] || fail "$codec: consumed $(wc -l <"$w/out-$codec") of $N"
  # Offsets 0..N-1 in order; key/value as produced; headers on every record.
  cut -f3,4 "$w/out-$codec" | cmp - "$w/in" || fail "$codec: keys/values differ"
  cut -f1 "$w/out-$codec" | cmp - <(seq 0 $((N - 1))) || fail "$codec: offsets not 0..N-1"
  bad=$(cut -f5 "$w/out-$codec" | grep -vcx "codec=$codec,src=kcat")
  [ "$bad" -eq 0 ] || fail "$codec: $bad records with wrong headers"
  # CreateTime timestamps inside the produce window, non-decreasing.
  cut -f2 "$w/out-$codec" | awk -v a="$t0" -v b="$t1" 'NR>1 && $1<p {exit 1} $1<a||$1>b {exit 1} {p=$1}' \
    || fail "$codec: timestamps outside [$t0,$t1] or decreasing"
  # ListOffsets: earliest, latest, and by the timestamp of record N/2.
  [ "$(query "$t" -2)" = 0 ] || fail "$codec: earliest $(query "$t" -2)"
  [ "$(query "$t" -1)" = "$N" ] || fail "$codec: latest $(query "$t" -1)"
  ts=$(awk -F'\t' -v n=$((N / 2)) 'NR==n+1 {print $2}' "$w/out-$codec")
  want=$(awk -F'\t' -v ts="$ts" '$2>=ts {print $1; exit}' "$w/out-$codec")
  [ "$(query "$t" "$ts")" = "$want" ] || fail "$codec: offset for $ts is $(query "$t" "$ts"), want $want"
done

# Delete records below offset 1000 of the zstd topic.
"$SPATE_BIN" topic delete-records kcat-zstd --partition 0 --before 1000 --bootstrap "$BOOTSTRAP" >/dev/null \
  || fail "delete-records"
[ "$(query kcat-zstd -2)" = 1000 ] || fail "earliest after delete: $(query kcat-zstd -2)"
tail -n +1001 "$w/out-zstd" >"$w/out-zstd-trimmed"
mv "$w/out-zstd-trimmed" "$w/out-zstd"

broker_stop || exit 1
broker_start || exit 1
for codec in none gzip snappy lz4 zstd; do
  kc -C -t "kcat-$codec" -o beginning -e -q -f '%o\t%T\t%k\t%s\t%h\n' >"$w/re-$codec" || fail "re-read $codec"
  cmp "$w/re-$codec" "$w/out-$codec" || fail "$codec: records differ after restart"
done
[ "$(query kcat-zstd -2)" = 1000 ] || fail "earliest after restart: $(query kcat-zstd -2)"
broker_stop || exit 1
echo ok
