#!/usr/bin/env bash
# System tests: drive the real `spate` binary from build dir $1.
#   tests/run.sh [BUILD_DIR] [NAME_FILTER]
# Runs tests/system/test_*.sh (bash), test_*.py (/usr/bin/python3: Debian's
# confluent-kafka and kafka-python load only there) and node/test_*.js (node;
# `npm ci` installs kafkajs from the committed lock file when node_modules is
# missing or older than the lock file). Each test gets a time limit (SPATE_TEST_TIMEOUT, seconds).
# Prints "system: N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
build=${1:-build}
filter=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
export SPATE_BIN=$(cd "$build" && pwd)/spate
limit=${SPATE_TEST_TIMEOUT:-600}
passed=0
failed=0

run_one() {  # name, command...
  local name=$1
  shift
  if [ -n "$filter" ] && [[ "$name" != *"$filter"* ]]; then return; fi
  local start=$SECONDS out rc=0
  out=$(timeout --kill-after=10 "$limit" "$@" 2>&1) || rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "PASS $name ($((SECONDS - start))s)"
    passed=$((passed + 1))
  else
    [ "$rc" -eq 124 ] && out="$out"$'\n'"(timed out after ${limit}s)"
    echo "FAIL $name ($((SECONDS - start))s, exit $rc)"
    echo "$out" | tail -60 | sed 's/^/    /'
    failed=$((failed + 1))
  fi
}

for t in "$here"/system/test_*.sh; do
  run_one "$(basename "$t" .sh)" bash "$t"
done
for t in "$here"/system/test_*.py; do
  run_one "$(basename "$t" .py)" /usr/bin/python3 "$t"
done
node_tests=("$here"/system/node/test_*.js)
if [ -e "${node_tests[0]}" ] && { [ -z "$filter" ] || [[ "${node_tests[*]}" == *"$filter"* ]]; }; then
  # node_modules is (re)installed when missing or made from another lock file.
  stamp="$here/system/node/node_modules/.spate-lock"
  if ! cmp -s "$here/system/node/package-lock.json" "$stamp"; then
    (cd "$here/system/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 &&
      cp package-lock.json node_modules/.spate-lock) || echo "npm ci failed in tests/system/node"
  fi
  for t in "${node_tests[@]}"; do
    run_one "$(basename "$t" .js)" node "$t"
  done
fi
echo "system: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
