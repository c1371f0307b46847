#!/usr/bin/env bash
# Runs the benchmarks against the optimised build in $1 (default: build):
# the storage engine benchmark (extra arguments go to it), then kafka_bench,
# group_bench and txn_bench against `spate serve` started on a free port with
# a temporary data directory and group.initial.rebalance.delay.ms=0
# (KAFKA_BENCH_ARGS, GROUP_BENCH_ARGS and TXN_BENCH_ARGS add options).
# sql_bench.sh (streaming SQL vs the consumer ceiling) runs against its own
# `spate serve` (SPATE_SQL_BENCH_* tune it, see there).
# `disk` is dd's sequential write (fdatasync) and cached read in $TMPDIR;
# `redis` runs redis_bench against a redis-server (appendonly yes,
# appendfsync everysec) started on a free port in a temporary directory
# (REDIS_BENCH_ARGS add options; scripts/install-bench-deps.sh installs it).
# `encryption` runs kafka_bench --at-rest-only: 1 KiB produce/consume of a
# plaintext topic next to a spate.encryption=true one on the same broker
# (started with a random key in spate.encryption.key.file), and both again
# through an SSL listener of that broker (a throwaway self-signed EC P-256
# certificate); ENCRYPTION_BENCH_ARGS add options, e.g. --records-1k, --rounds.
# BENCHES selects the benchmarks to run (default: "storage sql disk redis kafka group txn";
# add "encryption" for the encryption-at-rest comparison).
set -euo pipefail
build=${1:-build}
benches=" ${BENCHES:-storage sql disk redis kafka group txn} "
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
if [[ $benches == *" disk "* ]]; then
  ddir=$(mktemp -d "${TMPDIR:-/tmp}/spate-dd.XXXXXX")
  w=$(dd if=/dev/zero of="$ddir/dd" bs=1M count=256 conv=fdatasync 2>&1 | tail -1)
  r=$(dd if="$ddir/dd" of=/dev/null bs=1M 2>&1 | tail -1)
  echo "disk     dd write 256 MiB, 1 MiB blocks, conv=fdatasync: $w"
  echo "disk     dd read back (page cache): $r"
  rm -rf "$ddir"
fi
if [[ $benches == *" redis "* ]]; then
  if ! command -v redis-server >/dev/null || [ ! -x "$build/bench/redis_bench" ]; then
    echo "redis: skipped (run scripts/install-bench-deps.sh, then reconfigure $build)"
  else
    rdir=$(mktemp -d "${TMPDIR:-/tmp}/spate-redis.XXXXXX")
    rport=$(free_port)
    redis-server --port "$rport" --bind 127.0.0.1 --dir "$rdir" --appendonly yes \
      --appendfsync everysec --save '' --daemonize no >"$rdir/redis.log" 2>&1 &
    rpid=$!
    for _ in $(seq 1 200); do
      redis-cli -p "$rport" ping >/dev/null 2>&1 && break
      sleep 0.05
    done
    # shellcheck disable=SC2086
    "$build/bench/redis_bench" --port "$rport" ${REDIS_BENCH_ARGS:-} || rc=$?
    kill -TERM "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null || true
    rm -rf "$rdir"
    [ "${rc:-0}" -eq 0 ] || exit "$rc"
  fi
fi
if [[ $benches == *" storage "* ]]; then
  "$build/bench/storage_bench" "${@:2}"
fi
if [[ $benches == *" sql "* ]]; then
  bash "$(dirname "$0")/sql_bench.sh" "$build"
fi
if [[ $benches != *" kafka "* && $benches != *" group "* && $benches != *" txn "* &&
  $benches != *" encryption "* ]]; then
  exit 0
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/spate-bench.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
# group_bench times rebalances without the broker's initial delay.
initial_delay_ms=0
echo "group.initial.rebalance.delay.ms=$initial_delay_ms" >"$dir/server.properties"
# SPATE_BENCH_PROPERTIES: more key=value lines (space-separated) for the broker,
# e.g. spate.fetch.zero.copy=false to measure the copy path.
for kv in ${SPATE_BENCH_PROPERTIES:-}; do echo "$kv" >>"$dir/server.properties"; done
# A key for the encryption bench (harmless to the others: no topic uses it).
openssl rand -hex 32 >"$dir/keys"
echo "spate.encryption.key.file=$dir/keys" >>"$dir/server.properties"
if [[ $benches == *" encryption "* ]]; then
  # A TLS listener beside the plaintext one (listed first: `kafka listener on`).
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  cat "$dir/cert.pem" "$dir/key.pem" >"$dir/keystore.pem"
  {
    echo "listeners=PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0"
    echo "ssl.keystore.type=PEM"
    echo "ssl.keystore.location=$dir/keystore.pem"
  } >>"$dir/server.properties"
fi
"$build/spate" serve --config "$dir/server.properties" --data-dir "$dir/data" \
  --kafka-listen 127.0.0.1:0 --pg-listen off --http-listen off >"$dir/serve.log" 2>&1 &
pid=$!
addr=
for _ in $(seq 1 200); do
  addr=$(grep -o 'kafka listener on [^ ]*' "$dir/serve.log" | head -1 | awk '{print $4}' || true)
  [ -n "$addr" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$addr" ]; then echo "bench: spate serve did not start:"; cat "$dir/serve.log"; exit 1; fi
if [[ $benches == *" kafka "* ]]; then
  # shellcheck disable=SC2086
  "$build/bench/kafka_bench" --bootstrap "$addr" --data-dir "$dir/data" ${KAFKA_BENCH_ARGS:-}
fi
if [[ $benches == *" encryption "* ]]; then
  tls_addr=
  for _ in $(seq 1 200); do
    tls_addr=$(grep -o 'kafka listener SSL (SSL) on [^ ]*' "$dir/serve.log" | awk '{print $6}' || true)
    [ -n "$tls_addr" ] && break
    sleep 0.05
  done
  if [ -z "$tls_addr" ]; then echo "bench: no SSL listener:"; cat "$dir/serve.log"; exit 1; fi
  # shellcheck disable=SC2086
  "$build/bench/kafka_bench" --bootstrap "$addr" --at-rest-only --tls-bootstrap "$tls_addr" \
    --ssl-ca-location "$dir/cert.pem" --broker-pid "$pid" ${ENCRYPTION_BENCH_ARGS:-}
fi
if [[ $benches == *" group "* ]]; then
  # shellcheck disable=SC2086
  "$build/bench/group_bench" --bootstrap "$addr" \
    --broker-initial-delay-ms "$initial_delay_ms" ${GROUP_BENCH_ARGS:-}
fi
if [[ $benches == *" txn "* ]]; then
  # shellcheck disable=SC2086
  "$build/bench/txn_bench" --bootstrap "$addr" --broker-pid "$pid" ${TXN_BENCH_ARGS:-}
fi
kill -TERM "$pid"
wait "$pid"
pid=
