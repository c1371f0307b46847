#!/usr/bin/env bash
# Installs what only the benchmarks need (make bench runs it): Redis
# (redis-server) and its C client (libhiredis-dev), the comparison
# bench/run.sh measures Spate against. Idempotent like install-deps.sh.
set -euo pipefail
packages=(redis-server libhiredis-dev)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
