#!/usr/bin/env bash
# A service added by registering a connection factory on a second listener
# (tests/support/echo_serve.cc) serves beside Kafka on one runtime, and the
# whole platform stops cleanly on SIGTERM. Also: a listener port already in use
# stops the start with an error naming the flag.
set -euo pipefail
bin="$(dirname "$SPATE_BIN")/spate_echo_serve"
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$dir"' EXIT

wait_for() {  # file pattern: up to 10 s
  for _ in $(seq 1 200); do
    grep -q "$2" "$1" && return 0
    sleep 0.05
  done
  echo "no '$2' in $1:"; cat "$1"; return 1
}

"$bin" --data-dir "$dir/data" --kafka-listen 127.0.0.1:0 --echo-listen 127.0.0.1:0 >"$dir/out" 2>&1 &
pid=$!
wait_for "$dir/out" "ready"
kafka=$(sed -n 's/^spate: kafka listener on \(.*\)$/\1/p' "$dir/out")
echo_port=$(sed -n 's/^spate: echo listener on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/out")
test -n "$kafka" && test -n "$echo_port"
test "${kafka##*:}" != "$echo_port"

# Kafka serves on its port...
kcat -b "$kafka" -L -m 5 | grep -q "1 brokers"
# ...and the echo protocol on the other.
exec 3<>"/dev/tcp/127.0.0.1/$echo_port"
printf 'ping' >&3
reply=$(timeout 5 head -c 4 <&3)
test "$reply" = "ping"

# A second platform on the same echo port fails to start, naming the flag.
if "$bin" --data-dir "$dir/data2" --kafka-listen 127.0.0.1:0 --echo-listen "127.0.0.1:$echo_port" \
  >"$dir/out2" 2>&1; then
  echo "a second listener on a busy port started"; exit 1
fi
grep -q -- "--echo-listen 127.0.0.1:$echo_port: .*in use" "$dir/out2" || { cat "$dir/out2"; exit 1; }

# SIGTERM with a connection still open: everything stops, exit status 0.
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
exec 3<&-
test "$status" -eq 0 || { echo "exit status $status"; cat "$dir/out"; exit 1; }
grep -q "spate: stopping" "$dir/out"
test -f "$dir/data/.clean-shutdown"
echo "extra service served beside Kafka and stopped cleanly"
