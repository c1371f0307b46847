#!/usr/bin/env bash
# pgJDBC (Debian's libpostgresql-jdbc-java, the driver Java tools use) against
# `spate serve --pg-listen`: tests/system/jdbc/JdbcSmoke.java, compiled here.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
fail() { echo "FAIL: $*"; exit 1; }
jar=/usr/share/java/postgresql.jar
[ -f "$jar" ] || fail "$jar missing (scripts/install-deps.sh installs libpostgresql-jdbc-java)"
BROKER_ARGS=(--pg-listen 127.0.0.1:0)
broker_start || exit 1
w=$BROKER_DIR
pg=
for _ in $(seq 1 400); do
  pg=$(sed -n 's/^spate: pgwire listener on 127.0.0.1:\([0-9]*\)$/\1/p' "$w/out")
  [ -n "$pg" ] && break
  sleep 0.05
done
[ -n "$pg" ] || fail "no pgwire listener: $(cat "$w/out")"
"$SPATE_BIN" topic create events --bootstrap "$BOOTSTRAP" >/dev/null || fail "topic create"
printf '%s\n' '{"n":1,"s":"a"}' '{"n":2,"s":"b"}' '{"n":3,"s":"c"}' |
  "$SPATE_BIN" produce events --bootstrap "$BOOTSTRAP" 2>/dev/null || fail "produce"
psql -X -q -h 127.0.0.1 -p "$pg" -U spate spate \
  -c "CREATE SOURCE events (n BIGINT, s TEXT) WITH (topic = 'events', format = 'json')" ||
  fail "CREATE SOURCE"
javac -d "$w/classes" "$here/jdbc/JdbcSmoke.java" || fail "javac"
java -cp "$w/classes:$jar" JdbcSmoke "$pg" || fail "JdbcSmoke"
