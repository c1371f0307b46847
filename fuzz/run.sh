#!/usr/bin/env bash
# Runs every fuzz target of the tree $1 (default build-fuzz) for FUZZ_SECONDS
# (default 25) each, one after the other, starting from its committed seed
# corpus fuzz/corpus/<target> (read only: inputs found now go to a temporary
# directory) with fuzz/<target>.dict when there is one. A crash, sanitizer
# report, leak, or an input running over 10 s fails the run; the input is
# kept under FUZZ_ARTIFACTS (default <tree>/artifacts) and its path printed:
# reproduce with `<tree>/<target>_fuzz <path>`. FUZZ_TARGETS selects targets.
set -euo pipefail
tree=${1:-build-fuzz}
seconds=${FUZZ_SECONDS:-25}
here=$(cd "$(dirname "$0")" && pwd)
artifacts=${FUZZ_ARTIFACTS:-$tree/artifacts}
mkdir -p "$artifacts"
rc=0
for t in ${FUZZ_TARGETS:-kafka_request sasl tls_handshake}; do
  work=$(mktemp -d "${TMPDIR:-/tmp}/spate-fuzz-$t.XXXXXX")
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$artifacts/$t-")
  if [ -f "$here/$t.dict" ]; then args+=(-dict="$here/$t.dict"); fi
  if "$tree/${t}_fuzz" "${args[@]}" "$work" "$here/corpus/$t" >"$work/log" 2>&1; then
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$work/log")
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/log" | tail -1)
    echo "fuzz $t: no crash in ${seconds} s (${runs:-?} inputs; $cov)"
  else
    echo "fuzz $t: FAILED"
    tail -n 60 "$work/log"
    rc=1
  fi
  rm -rf "$work"
done
exit "$rc"
