"""Legacy message sets with kafka-python pinned to api_version (0, 10, 1):
Produce v2 with magic-1 message sets and Fetch v3 reading them back
(down-converted), the way clients older than Kafka 0.11 speak.

- codecs: for each of none, gzip, snappy and lz4 a producer sends 50 keyed
  records (compressed ones as wrapper messages); a consumer of the same
  vintage reads all 200 back with their keys, values and timestamps, and a
  current client (confluent-kafka, Fetch v11+) reads the same records.
- group: two old-protocol consumers in one group (JoinGroup v1, SyncGroup
  v0, OffsetCommit v2) consume and commit; the committed offsets sum to the
  records produced.
- downconversion_disabled: on a topic with message.downconversion.enable=false
  the old consumer's fetch fails with UNSUPPORTED_VERSION while a current
  client still reads it.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import (Broker, check, committed_offsets, consume_all, create_topic,
                          wait_until)
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import UnsupportedVersionError

OLD = (0, 10, 1)
TS = 1_600_000_000_000


def old_producer(bootstrap, codec):
    return KafkaProducer(bootstrap_servers=bootstrap, api_version=OLD, acks="all",
                         compression_type=codec, linger_ms=20)


def old_consumer(bootstrap, **kw):
    return KafkaConsumer(bootstrap_servers=bootstrap, api_version=OLD,
                         auto_offset_reset="earliest", consumer_timeout_ms=1000, **kw)


def case_codecs(bootstrap):
    create_topic(bootstrap, "legacy-codecs", 1)
    want = []
    for c, codec in enumerate((None, "gzip", "snappy", "lz4")):
        p = old_producer(bootstrap, codec)
        for i in range(50):
            k, v = b"k%d-%d" % (c, i), b"v%d-%d" % (c, i)
            p.send("legacy-codecs", key=k, value=v, partition=0, timestamp_ms=TS + i)
            want.append((k, v, TS + i))
        p.flush(30)
        p.close()
    c = old_consumer(bootstrap)
    c.assign([TopicPartition("legacy-codecs", 0)])
    got = []
    deadline = time.monotonic() + 20
    while len(got) < len(want) and time.monotonic() < deadline:
        for recs in c.poll(timeout_ms=500).values():
            got += [(r.key, r.value, r.timestamp) for r in recs]
    c.close()
    check(got == want, "old consumer read %d of %d records; first mismatch %s" % (
        len(got), len(want), next(((a, b) for a, b in zip(got, want) if a != b), None)))
    current = consume_all(bootstrap, "legacy-codecs", 0, len(want))
    check([(k, v, ts) for _, k, v, _, ts in current] == want,
          "a current client read %d records differently" % len(current))


def case_group(bootstrap):
    create_topic(bootstrap, "legacy-group", 2)
    p = old_producer(bootstrap, "gzip")
    for i in range(100):
        p.send("legacy-group", value=b"%d" % i, partition=i % 2)
    p.flush(30)
    p.close()
    seen = set()
    lock = threading.Lock()
    stop = threading.Event()

    def member():
        # One thread per member: a JoinGroup blocks until every member rejoins.
        c = old_consumer(bootstrap, group_id="legacy-g", enable_auto_commit=False,
                         session_timeout_ms=6000, heartbeat_interval_ms=300,
                         max_poll_interval_ms=10000)
        c.subscribe(["legacy-group"])
        while not stop.is_set():
            for recs in c.poll(timeout_ms=200).values():
                with lock:
                    seen.update(r.value for r in recs)
            if c.assignment():
                c.commit()
        c.commit()
        c.close()

    threads = [threading.Thread(target=member) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: len(seen) == 100, 25, lambda: "group consumed %d of 100" % len(seen))
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    check(len(seen) == 100, "group consumed %d of 100 values" % len(seen))
    offsets = wait_until(
        lambda: (lambda o: o if sum(max(v, 0) for v in o.values()) == 100 else None)(
            committed_offsets(bootstrap, "legacy-g", "legacy-group", 2)),
        10, "committed offsets summing to 100")
    check(sum(offsets.values()) == 100, "committed %s" % offsets)


def case_downconversion_disabled(bootstrap):
    create_topic(bootstrap, "legacy-nodown", 1, {"message.downconversion.enable": "false"})
    p = old_producer(bootstrap, None)
    p.send("legacy-nodown", value=b"x", partition=0)
    p.flush(30)
    p.close()
    c = old_consumer(bootstrap)
    c.assign([TopicPartition("legacy-nodown", 0)])
    refused = False
    deadline = time.monotonic() + 10
    while not refused and time.monotonic() < deadline:
        try:
            recs = c.poll(timeout_ms=300)
            check(not recs, "down-converted despite message.downconversion.enable=false")
        except UnsupportedVersionError:
            refused = True
    c.close()
    check(refused, "the old fetch was not refused with UNSUPPORTED_VERSION")
    check(len(consume_all(bootstrap, "legacy-nodown", 0, 1)) == 1, "a current client read it")


def main():
    with Broker(config={"group.initial.rebalance.delay.ms": "0",
                        "group.min.session.timeout.ms": "1000"}) as b:
        case_codecs(b.bootstrap)
        case_group(b.bootstrap)
        case_downconversion_disabled(b.bootstrap)
    print("kafka-python 0.10.1 protocol: 4 codecs up-converted and down-converted, group "
          "commits, message.downconversion.enable=false refused")


if __name__ == "__main__":
    main()
