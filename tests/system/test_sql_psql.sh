#!/usr/bin/env bash
# psql's meta-commands against `spate serve --pg-listen`: \dt and \d list a
# source as a table, \dm a materialized view, \d NAME shows columns with
# PostgreSQL type names, \d of an unknown name fails as psql reports it, and
# information_schema.columns lists the columns. Skipped without psql.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v psql >/dev/null || { echo "SKIP: psql not installed"; exit 0; }
. "$here/lib/broker.sh"
BROKER_ARGS=(--pg-listen 127.0.0.1:0)
broker_start || exit 1
w=$BROKER_DIR

pg=
for _ in $(seq 1 200); do
  pg=$(grep -o 'pgwire listener on [^ ]*' "$w/out" | head -1 | awk '{print $4}')
  [ -n "$pg" ] && break
  kill -0 "$BROKER_PID" 2>/dev/null || break
  sleep 0.05
done
[ -n "$pg" ] || fail "no pgwire listener line"
export PGCONNECT_TIMEOUT=10
p() { psql -X -h "${pg%:*}" -p "${pg##*:}" -U spate spate "$@"; }

"$SPATE_BIN" topic create bid --bootstrap "$BOOTSTRAP" >/dev/null || fail "topic create"
echo '{"auction":1,"price":5,"bidder":"ann"}' | "$SPATE_BIN" produce bid --bootstrap "$BOOTSTRAP" 2>/dev/null ||
  fail "produce"
p -v ON_ERROR_STOP=1 -c "CREATE SOURCE bid (auction BIGINT, price NUMERIC(10,2), bidder VARCHAR(20), ts TIMESTAMPTZ) WITH (topic = 'bid', format = 'json')" \
  >"$w/create" 2>&1 || fail "CREATE SOURCE: $(cat "$w/create")"
p -v ON_ERROR_STOP=1 -c "CREATE MATERIALIZED VIEW dear AS SELECT auction, price FROM bid WHERE price > 1" \
  >"$w/create" 2>&1 || fail "CREATE MATERIALIZED VIEW: $(cat "$w/create")"

p -c '\dt' >"$w/dt" 2>&1 || fail "\\dt: $(cat "$w/dt")"
grep -Eq '^ public +\| bid +\| table +\| spate' "$w/dt" || fail "\\dt lacks bid: $(cat "$w/dt")"
grep -q dear "$w/dt" && fail "\\dt lists the materialized view: $(cat "$w/dt")"

p -c '\dm' >"$w/dm" 2>&1 || fail "\\dm: $(cat "$w/dm")"
grep -Eq '^ public +\| dear +\| materialized view' "$w/dm" || fail "\\dm lacks dear: $(cat "$w/dm")"

p -c '\d' >"$w/d" 2>&1 || fail "\\d: $(cat "$w/d")"
grep -q ' bid ' "$w/d" && grep -q ' dear ' "$w/d" || fail "\\d: $(cat "$w/d")"

p -c '\d bid' >"$w/dbid" 2>&1 || fail "\\d bid: $(cat "$w/dbid")"
grep -q 'Table "public.bid"' "$w/dbid" || fail "\\d bid title: $(cat "$w/dbid")"
grep -Eq '^ auction +\| bigint ' "$w/dbid" || fail "\\d bid auction: $(cat "$w/dbid")"
grep -Eq '^ price +\| numeric\(10,2\) ' "$w/dbid" || fail "\\d bid price: $(cat "$w/dbid")"
grep -Eq '^ bidder +\| character varying\(20\) ' "$w/dbid" || fail "\\d bid bidder: $(cat "$w/dbid")"
grep -Eq '^ ts +\| timestamp with time zone ' "$w/dbid" || fail "\\d bid ts: $(cat "$w/dbid")"
grep -q '_partition' "$w/dbid" && fail "\\d bid shows hidden columns: $(cat "$w/dbid")"

p -c '\d dear' >"$w/ddear" 2>&1 || fail "\\d dear: $(cat "$w/ddear")"
grep -q 'Materialized view "public.dear"' "$w/ddear" || fail "\\d dear: $(cat "$w/ddear")"

p -c '\d nope' >"$w/nope" 2>&1
grep -q 'Did not find any relation named "nope"' "$w/nope" || fail "\\d nope: $(cat "$w/nope")"

p -At -c "SELECT table_name || ':' || column_name || ':' || data_type FROM information_schema.columns WHERE table_name = 'bid' ORDER BY ordinal_position" \
  >"$w/cols" 2>&1 || fail "information_schema.columns: $(cat "$w/cols")"
[ "$(tr '\n' ' ' <"$w/cols")" = "bid:auction:bigint bid:price:numeric bid:bidder:character varying bid:ts:timestamp with time zone " ] ||
  fail "information_schema.columns: $(cat "$w/cols")"

broker_stop || exit 1
echo "PASS"
