#!/usr/bin/env bash
# `spate sql` against `spate serve --pg-listen`: -c and -f (statements split
# on `;` outside quotes and comments, tables with row counts), statements on
# stdin, a sink written through it, and failures: a syntax error prints
# "ERROR:  ..." on stderr, exits non-zero and stops the script there; an
# unreachable server exits 1.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
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
url="postgresql://spate@$pg/spate"
sql() { "$SPATE_BIN" sql --url "$url" "$@"; }

"$SPATE_BIN" sql --help >"$w/help" || fail "sql --help exited non-zero"
grep -q -- "--command" "$w/help" && grep -q -- "--file" "$w/help" && grep -q -- "--url" "$w/help" ||
  fail "sql --help: $(cat "$w/help")"

sql -c 'SHOW SOURCES' >"$w/empty" 2>"$w/err" || fail "SHOW SOURCES: $(cat "$w/err")"
grep -qx '(0 rows)' "$w/empty" || fail "SHOW SOURCES on an empty catalog: $(cat "$w/empty")"

"$SPATE_BIN" topic create clibid --bootstrap "$BOOTSTRAP" >/dev/null || fail "topic create"
printf '%s\n' \
  '{"auction":1,"bidder":10,"price":100,"channel":"Apple","url":"https://a/b","date_time":"2015-07-15 00:00:00.001","extra":""}' \
  '{"auction":2,"bidder":20,"price":200,"channel":"Google","url":"https://a/c","date_time":"2015-07-15 00:00:00.002","extra":"x"}' \
  '{"auction":3,"bidder":30,"price":300,"channel":"Baidu","url":"https://a/d","date_time":"2015-07-15 00:00:00.003","extra":"y"}' |
  "$SPATE_BIN" produce clibid --bootstrap "$BOOTSTRAP" 2>/dev/null || fail "produce"

# A script: comments (with semicolons) and a statement over several lines.
cat >"$w/setup.sql" <<'EOF'
-- the source; this comment has a semicolon
CREATE SOURCE clibid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,
  url VARCHAR, date_time TIMESTAMP, extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
WITH (topic = 'clibid', format = 'json', scan_startup_mode = 'earliest'); /* done; */
CREATE SINK clisink FROM clibid WITH (topic = 'clisink_out', format = 'json');
SHOW SOURCES
EOF
sql -f "$w/setup.sql" >"$w/setup.out" 2>"$w/err" || fail "sql -f: $(cat "$w/err")"
grep -q ' clibid' "$w/setup.out" && grep -qx '(1 row)' "$w/setup.out" ||
  fail "sql -f output: $(cat "$w/setup.out")"

# The engine creates the sink topic; wait for it (a topic list never auto-creates).
for _ in $(seq 1 300); do
  "$SPATE_BIN" topic list --bootstrap "$BOOTSTRAP" | grep -qx clisink_out && break
  sleep 0.1
done
"$SPATE_BIN" consume clisink_out --bootstrap "$BOOTSTRAP" --from-beginning --count 3 \
  --timeout-ms 30000 >"$w/sink" || fail "sink clisink_out did not get 3 rows: $(cat "$w/sink")"
grep -q '"auction":2' "$w/sink" || fail "sink rows: $(cat "$w/sink")"

# Statements on stdin when it is not a terminal.
echo 'SHOW SINKS;' | sql >"$w/stdin.out" 2>"$w/err" || fail "stdin: $(cat "$w/err")"
grep -q ' clisink' "$w/stdin.out" || fail "SHOW SINKS from stdin: $(cat "$w/stdin.out")"

# A syntax error: ERROR on stderr, exit non-zero, nothing after it runs.
rc=0
sql -c 'SHOW SOURCES; SELEC 1; SHOW SINKS' >"$w/bad.out" 2>"$w/bad.err" || rc=$?
[ "$rc" -ne 0 ] || fail "syntax error exited 0"
grep -q '^ERROR:  ' "$w/bad.err" || fail "no ERROR line: $(cat "$w/bad.err")"
grep -qi 'syntax\|42601' "$w/bad.err" || fail "error does not name a syntax error: $(cat "$w/bad.err")"
[ "$(grep -c 'rows\?)$' "$w/bad.out")" -eq 1 ] || fail "statements ran after the error: $(cat "$w/bad.out")"

cat >"$w/bad.sql" <<'EOF'
CREATE SINK before_err FROM clibid WITH (topic = 'before_out', format = 'json');
CREATE SINK oops FORM clibid;
CREATE SINK after_err FROM clibid WITH (topic = 'after_out', format = 'json');
EOF
rc=0
sql -f "$w/bad.sql" >/dev/null 2>"$w/bad.err" || rc=$?
[ "$rc" -ne 0 ] || fail "sql -f with an error exited 0"
grep -q '^ERROR:  ' "$w/bad.err" || fail "sql -f error text: $(cat "$w/bad.err")"
sql -c 'SHOW SINKS' >"$w/sinks" || fail "SHOW SINKS"
grep -q ' before_err' "$w/sinks" || fail "statement before the error did not run: $(cat "$w/sinks")"
grep -q ' after_err' "$w/sinks" && fail "statement after the error ran: $(cat "$w/sinks")"

# An unreachable server.
rc=0
"$SPATE_BIN" sql --url "postgresql://spate@127.0.0.1:1/spate" -c 'SHOW SOURCES' 2>"$w/conn.err" || rc=$?
[ "$rc" -eq 1 ] || fail "unreachable server exited $rc"
grep -q '^spate sql: ' "$w/conn.err" || fail "connection error text: $(cat "$w/conn.err")"

broker_stop || exit 1
echo ok
