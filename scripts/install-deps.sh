#!/usr/bin/env bash
# Installs the Debian 12 packages Spate needs to build, test and benchmark.
# Idempotent: only packages that are missing are installed; with nothing missing it
# touches neither the network nor apt's lists.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build make pkg-config clang-format ccache
  # fuzz/: clang with the libFuzzer and sanitizer runtimes (-fsanitize=fuzzer)
  clang libclang-rt-dev
  # libraries
  libboost-dev libboost-program-options-dev
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libssl-dev
  libspdlog-dev libfmt-dev libcli11-dev
  libpg-query-dev nlohmann-json3-dev libsimdjson-dev libre2-dev libreadline-dev libpq-dev
  # schema registry: Avro (avro-c), Protobuf (.proto parser)
  libavro-dev libprotobuf-dev libprotoc-dev protobuf-compiler
  # SQL operator state
  librocksdb-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # third-party Kafka clients used by the system tests
  librdkafka-dev kcat python3-confluent-kafka python3-kafka
  # Go Kafka clients sarama and segmentio/kafka-go (0.2.1: legacy message
  # sets; built offline against the Debian sources) and Burrow (consumer
  # lag) used by the system tests
  golang-go golang-github-shopify-sarama-dev golang-github-segmentio-kafka-go-dev burrow
  # Burrow 1.2 keeps its locks in ZooKeeper: the test runs a throwaway one
  zookeeper
  # PostgreSQL clients used by the SQL system tests
  # schema registry clients used by the registry system tests
  python3-jsonschema python3-protobuf python3-requests
  postgresql-client python3-psycopg2 python3-psycopg libpostgresql-jdbc-java openjdk-17-jdk-headless
  # kafka-python's snappy, lz4 and zstd codecs
  python3-snappy python3-lz4 python3-zstandard
)
# kafkajs system tests: node and npm. A node installed another way (e.g.
# NodeSource, which bundles npm) is kept; Debian's packages otherwise.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
