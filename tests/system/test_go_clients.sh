#!/usr/bin/env bash
# Go Kafka clients from Debian's packages against Spate: sarama (1.22)
# creates a 3-partition topic, produces 300 records (acks=all), consumes them
# in a group of two members and commits; the committed offsets must sum to
# 300. The Go programs under tests/system/go build offline in GOPATH mode
# against /usr/share/gocode (Debian's golang-*-dev sources); the build cache
# lives in the build directory, so later runs only link.
# segmentio/kafka-go is not covered: Debian's 0.2.1 speaks Produce v2 /
# magic-1 message sets, which Spate does not serve (it closes the connection).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/broker.sh"

build_dir=$(dirname "$SPATE_BIN")
go_out=$build_dir/go-tests
mkdir -p "$go_out"
go_build() {  # program directory under tests/system/go
  (cd "$here/go/$1" &&
    GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$build_dir/go-cache" \
      go build -o "$go_out/$1" . 2>"$go_out/$1.build.log") ||
    { cat "$go_out/$1.build.log"; exit 1; }
}
go_build sarama_check

broker_config group.initial.rebalance.delay.ms=0 group.min.session.timeout.ms=1000
broker_start
timeout 60 "$go_out/sarama_check" "$BOOTSTRAP" go-sarama go-sarama-g 300 || exit 1
broker_stop
