#!/usr/bin/env bash
# Go Kafka clients from Debian's packages against Spate: sarama (1.22)
# creates a 3-partition topic, produces 300 records (acks=all), consumes them
# in a group of two members and commits; the committed offsets must sum to
# 300. segmentio/kafka-go (0.2.1: Produce v2 with magic-1 message sets,
# some gzip/snappy wrappers, Fetch v2 down-converted, OffsetCommit v2,
# JoinGroup v1, SyncGroup v0) creates a topic, produces 300 records, consumes
# them in a group of two readers and commits; the committed offsets
# (confluent_kafka's committed(), OffsetFetch) must sum to 300. The Go
# programs under tests/system/go build offline in GOPATH mode against
# /usr/share/gocode (Debian's golang-*-dev sources); the build cache lives in
# the build directory, so later runs only link.
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
go_build kafkago_check

# Sum of GROUP's committed offsets on TOPIC's 3 partitions.
committed_sum() {
  /usr/bin/python3 - "$BOOTSTRAP" "$1" "$2" <<'PY'
import sys
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, group = sys.argv[1:]
c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
parts = c.committed([TopicPartition(topic, p) for p in range(3)], timeout=10)
print(sum(max(p.offset, 0) for p in parts))
c.close()
PY
}

broker_config group.initial.rebalance.delay.ms=0 group.min.session.timeout.ms=1000
broker_start
timeout 60 "$go_out/sarama_check" "$BOOTSTRAP" go-sarama go-sarama-g 300 || exit 1
timeout 60 "$go_out/kafkago_check" "$BOOTSTRAP" go-kafkago go-kafkago-g 300 || exit 1
sum=$(committed_sum go-kafkago go-kafkago-g) || exit 1
[ "$sum" = 300 ] || { echo "kafka-go group committed $sum offsets, want 300"; exit 1; }
broker_stop
