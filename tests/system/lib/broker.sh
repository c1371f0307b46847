# Shell helper for system tests: source it, then `broker_start` (sets
# BROKER_PID, BROKER_PORT, BOOTSTRAP), `broker_stop` (SIGTERM, asserts exit 0),
# `broker_kill` (SIGKILL). BROKER_DIR holds the data dir and the log; it is
# removed on exit. The first start listens on a free port (port 0); restarts
# reuse that port. HTTP (the schema registry) is off unless BROKER_ARGS has
# --http-listen; then REGISTRY is its URL (http://127.0.0.1:PORT). `broker_config KEY=VALUE...` (before broker_start) writes a
# properties file passed as --config.
BROKER_DIR=$(mktemp -d)
BROKER_DATA=$BROKER_DIR/data
BROKER_PORT=0
BROKER_PID=
BOOTSTRAP=
REGISTRY=
BROKER_ARGS=()
trap 'broker_kill; rm -rf "$BROKER_DIR"' EXIT

broker_start() {
  local tries
  for tries in $(seq 1 40); do
    # SQL (pgwire) is off unless the test asks for it in BROKER_ARGS.
    local pg=(--pg-listen off)
    [[ " ${BROKER_ARGS[*]-} " == *" --pg-listen "* ]] && pg=()
    local http=(--http-listen off)
    [[ " ${BROKER_ARGS[*]-} " == *" --http-listen "* ]] && http=()
    "$SPATE_BIN" serve --data-dir "$BROKER_DATA" --kafka-listen "127.0.0.1:$BROKER_PORT" "${pg[@]}" "${http[@]}" \
      ${BROKER_ARGS[@]+"${BROKER_ARGS[@]}"} >"$BROKER_DIR/out" 2>&1 &
    BROKER_PID=$!
    local i
    for i in $(seq 1 200); do
      local line
      line=$(grep -o 'kafka listener on [^ ]*' "$BROKER_DIR/out" | head -1)
      if [ -n "$line" ]; then
        BROKER_PORT=${line##*:}
        BOOTSTRAP=127.0.0.1:$BROKER_PORT
        line=$(grep -o 'http listener on [^ ]*' "$BROKER_DIR/out" | head -1)
        [ -n "$line" ] && REGISTRY=http://${line#http listener on }
        cat "$BROKER_DIR/out" >>"$BROKER_DIR/all-out"
        return 0
      fi
      kill -0 "$BROKER_PID" 2>/dev/null || break
      sleep 0.05
    done
    # Not listening: maybe the port is still held by the previous process.
    kill -KILL "$BROKER_PID" 2>/dev/null; wait "$BROKER_PID" 2>/dev/null
    sleep 0.25
  done
  echo "spate serve did not report a kafka listener:"; cat "$BROKER_DIR/out"
  return 1
}

broker_config() {
  printf '%s\n' "$@" >"$BROKER_DIR/server.properties"
  BROKER_ARGS=(--config "$BROKER_DIR/server.properties")
}

broker_stop() {
  kill -TERM "$BROKER_PID"
  local rc=0
  wait "$BROKER_PID" || rc=$?
  BROKER_PID=
  if [ "$rc" -ne 0 ]; then echo "spate serve exited $rc on SIGTERM"; cat "$BROKER_DIR/out"; return 1; fi
}

broker_kill() {
  if [ -n "$BROKER_PID" ]; then
    kill -KILL "$BROKER_PID" 2>/dev/null
    wait "$BROKER_PID" 2>/dev/null
    BROKER_PID=
  fi
  return 0
}

fail() { echo "FAIL: $*"; [ -f "$BROKER_DIR/out" ] && { echo "--- broker output:"; tail -30 "$BROKER_DIR/out"; }; exit 1; }
