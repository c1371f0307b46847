#!/usr/bin/env bash
# `spate schema list|get|register|check|delete|config` against `spate serve
# --http-listen`: register prints the id (the same schema again: the same
# id), get prints the fields and the schema (or the text alone, or by id),
# check exits 1 with the registry's messages when incompatible, config reads
# and sets levels, delete soft then permanent, errors print the registry's
# message and code with exit 1, an unreachable registry fails fast.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
fail() { echo "FAIL: $*"; exit 1; }
BROKER_ARGS=(--http-listen 127.0.0.1:0)
broker_start || exit 1
[ -n "$REGISTRY" ] || fail "no http listener line: $(cat "$BROKER_DIR/out")"
w=$BROKER_DIR
s() { "$SPATE_BIN" schema "$@" --registry "$REGISTRY"; }

cat >"$w/v1.avsc" <<'EOF'
{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}
EOF
cat >"$w/v2.avsc" <<'EOF'
{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}
EOF
cat >"$w/bad.avsc" <<'EOF'
{"type":"record","name":"Order","fields":[{"name":"other","type":"int"}]}
EOF

id1=$(s register orders-value --file "$w/v1.avsc") || fail "register v1"
[[ "$id1" =~ ^[0-9]+$ ]] || fail "register printed '$id1'"
[ "$(s register orders-value --file "$w/v1.avsc")" = "$id1" ] || fail "same schema, another id"
[ "$(s register orders-value --file - <"$w/v1.avsc")" = "$id1" ] || fail "--file - (stdin)"

out=$(s check orders-value --file "$w/v2.avsc") || fail "check of a compatible schema: $out"
[ "$out" = compatible ] || fail "check printed '$out'"
id2=$(s register orders-value --file "$w/v2.avsc") || fail "register v2"
[ "$id2" != "$id1" ] || fail "v2 got v1's id"

rc=0
out=$(s check orders-value --file "$w/bad.avsc" 2>"$w/err") || rc=$?
[ "$rc" -eq 1 ] || fail "check of an incompatible schema exited $rc"
[ "$(head -1 <<<"$out")" = incompatible ] || fail "check printed '$out'"
[ "$(wc -l <<<"$out")" -ge 2 ] || fail "no messages: '$out'"
rc=0
s register orders-value --file "$w/bad.avsc" >/dev/null 2>"$w/err" || rc=$?
[ "$rc" -eq 1 ] || fail "registering an incompatible schema exited $rc"
grep -q "(error 409)" "$w/err" || fail "409 not printed: $(cat "$w/err")"

out=$(s get orders-value) || fail "get"
grep -q "^version    2$" <<<"$out" || fail "get latest: $out"
grep -q "^id         $id2$" <<<"$out" || fail "get id: $out"
grep -q "^type       AVRO$" <<<"$out" || fail "get type: $out"
grep -q '"note"' <<<"$out" || fail "get schema text: $out"
out=$(s get orders-value --version 1 --schema-only) || fail "get --version 1"
grep -q '"note"' <<<"$out" && fail "version 1 has v2's field: $out"
grep -q '"Order"' <<<"$out" || fail "version 1 text: $out"
out=$(s get --id "$id1") || fail "get --id"
grep -q "^id         $id1$" <<<"$out" || fail "get --id: $out"

cat >"$w/dep.proto" <<'EOF'
syntax = "proto3";
package t;
message Dep { int32 x = 1; }
EOF
cat >"$w/main.proto" <<'EOF'
syntax = "proto3";
package t;
import "dep.proto";
message Main { Dep d = 1; }
EOF
s register dep-value --file "$w/dep.proto" >/dev/null || fail "register proto"
pid=$(s register main-value --file "$w/main.proto" --reference dep.proto=dep-value:1) ||
  fail "register proto with a reference"
out=$(s get main-value) || fail "get proto"
grep -q "^type       PROTOBUF$" <<<"$out" || fail "proto type: $out"
grep -q "^reference  dep.proto -> dep-value version 1$" <<<"$out" || fail "reference: $out"

out=$(s list) || fail "list"
[ "$out" = $'dep-value\nmain-value\norders-value' ] || fail "list: '$out'"
[ "$(s list --prefix ord)" = orders-value ] || fail "list --prefix"

[ "$(s config)" = BACKWARD ] || fail "global level"
[ "$(s config orders-value)" = BACKWARD ] || fail "subject level falls back to the global one"
[ "$(s config orders-value --set full)" = FULL ] || fail "config --set"
[ "$(s config orders-value)" = FULL ] || fail "subject level after --set"
[ "$(s config orders-value --delete)" = FULL ] || fail "config --delete answers the old level"
[ "$(s config orders-value)" = BACKWARD ] || fail "level after --delete"

[ "$(s delete orders-value --version 1)" = 1 ] || fail "delete --version 1"
[ "$(s delete orders-value)" = 2 ] || fail "soft delete of the subject"
[ "$(s list --deleted | grep -c orders-value)" = 1 ] || fail "list --deleted"
[ "$(s delete orders-value --permanent)" = $'1\n2' ] || fail "permanent delete"
[ "$(s list --deleted | grep -c orders-value)" = 0 ] || fail "still listed after --permanent"

rc=0
s get orders-value >/dev/null 2>"$w/err" || rc=$?
[ "$rc" -eq 1 ] || fail "get of a deleted subject exited $rc"
grep -q "(error 40401)" "$w/err" || fail "40401 not printed: $(cat "$w/err")"
rc=0
s get dep-value --version 0 >/dev/null 2>"$w/err" || rc=$?
[ "$rc" -eq 2 ] || fail "a bad --version is a usage error, exited $rc"
rc=0
s register x --file "$w/missing.avsc" >/dev/null 2>"$w/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "missing.avsc" "$w/err" || fail "missing file: $rc $(cat "$w/err")"
rc=0
start=$SECONDS
"$SPATE_BIN" schema list --registry http://127.0.0.1:1 >/dev/null 2>"$w/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "127.0.0.1:1" "$w/err" || fail "unreachable registry: $rc $(cat "$w/err")"
[ $((SECONDS - start)) -lt 5 ] || fail "an unreachable registry took $((SECONDS - start))s"

broker_stop || exit 1
echo "ok (ids $id1 $id2 $pid)"
