#!/usr/bin/env bash
# System tests: drive the real `spate` binary from build dir $1.
# Prints "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
export SPATE_BIN=$(cd "$build" && pwd)/spate
passed=0
failed=0
for t in "$here"/system/test_*.sh; do
  name=$(basename "$t" .sh)
  if out=$(bash "$t" 2>&1); then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    echo "$out" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done
echo "system: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
