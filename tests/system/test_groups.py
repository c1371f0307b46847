"""Consumer groups: a confluent-kafka (librdkafka) consumer and a kafka-python
consumer, both with the range assignor, share a 12-partition topic in one
group; every record is read exactly once, offsets are committed, and after a
broker restart a new consumer of the group resumes from the committed offsets
(read back from __consumer_offsets)."""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check
from confluent_kafka import Consumer, Producer, TopicPartition as CkTp
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaConsumer
from kafka.coordinator.assignors.range import RangePartitionAssignor

TOPIC = "grp-topic"
GROUP = "grp-1"
PARTITIONS = 12
FIRST = 1200
SECOND = 240


def produce(bootstrap, start, n):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    for i in range(start, start + n):
        p.produce(TOPIC, value=b"r-%d" % i, partition=i % PARTITIONS)
    check(p.flush(60) == 0, "producer did not flush")


def ck_consumer(bootstrap):
    return Consumer({"bootstrap.servers": bootstrap, "group.id": GROUP,
                     "partition.assignment.strategy": "range", "enable.auto.commit": False,
                     "auto.offset.reset": "earliest", "session.timeout.ms": 10000,
                     "heartbeat.interval.ms": 500})


def kp_consumer(bootstrap):
    return KafkaConsumer(TOPIC, bootstrap_servers=bootstrap, group_id=GROUP,
                         partition_assignment_strategy=[RangePartitionAssignor],
                         enable_auto_commit=False, auto_offset_reset="earliest",
                         session_timeout_ms=10000, heartbeat_interval_ms=500)


def kp_poll(c, seen, timeout_ms=100):
    for records in c.poll(timeout_ms=timeout_ms).values():
        for r in records:
            seen.append(r.value)


def ck_poll(c, seen, timeout=0.1):
    for m in c.consume(num_messages=1000, timeout=timeout):
        check(m.error() is None, "confluent consumer error: %s" % m.error())
        seen.append(m.value())


def main():
    cfg = tempfile.NamedTemporaryFile("w", suffix=".properties", delete=False)
    cfg.write("group.initial.rebalance.delay.ms=300\n")
    cfg.close()
    try:
        with Broker(extra_args=["--config", cfg.name]) as b:
            admin = AdminClient({"bootstrap.servers": b.bootstrap})
            for f in admin.create_topics([NewTopic(TOPIC, PARTITIONS, 1)]).values():
                f.result(30)

            a = ck_consumer(b.bootstrap)
            a.subscribe([TOPIC])
            k = kp_consumer(b.bootstrap)
            seen_a, seen_k = [], []
            # Form the group (both members, 6 partitions each) before producing,
            # so no record is handed out twice across a rebalance.
            deadline = time.monotonic() + 60
            while True:
                ck_poll(a, seen_a)
                kp_poll(k, seen_k)
                pa = {(t.topic, t.partition) for t in a.assignment()}
                pk = {(t.topic, t.partition) for t in k.assignment()}
                if len(pa) == 6 and len(pk) == 6 and not (pa & pk):
                    break
                check(time.monotonic() < deadline,
                      "group did not form: confluent %s, kafka-python %s" % (sorted(pa), sorted(pk)))
            check(not seen_a and not seen_k, "records before any were produced")

            produce(b.bootstrap, 0, FIRST)
            deadline = time.monotonic() + 30
            while len(seen_a) + len(seen_k) < FIRST:
                ck_poll(a, seen_a)
                kp_poll(k, seen_k)
                if time.monotonic() >= deadline:
                    missing = {b"r-%d" % i for i in range(FIRST)} - set(seen_a + seen_k)
                    check(False, "consumed %d + %d of %d; missing %s; assignment %s / %s"
                          % (len(seen_a), len(seen_k), FIRST, sorted(missing)[:20],
                             a.assignment(), k.assignment()))
            # A little longer: nothing more (no duplicates) may arrive.
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                ck_poll(a, seen_a)
                kp_poll(k, seen_k)
            every = seen_a + seen_k
            check(len(every) == FIRST, "read %d records for %d produced" % (len(every), FIRST))
            check(set(every) == {b"r-%d" % i for i in range(FIRST)}, "records differ")
            check(seen_a and seen_k, "one consumer got nothing: %d / %d" % (len(seen_a), len(seen_k)))

            a.commit(asynchronous=False)
            k.commit()
            committed = a.committed([CkTp(TOPIC, p) for p in range(PARTITIONS)], timeout=10)
            total = sum(t.offset for t in committed)
            check(total == FIRST, "committed offsets sum to %d, want %d" % (total, FIRST))
            a.close()
            k.close()

            produce(b.bootstrap, FIRST, SECOND)
            b.restart()

            c = kp_consumer(b.bootstrap)
            seen = []
            deadline = time.monotonic() + 60
            while len(seen) < SECOND:
                kp_poll(c, seen, 200)
                check(time.monotonic() < deadline, "after restart consumed %d of %d" % (len(seen), SECOND))
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                kp_poll(c, seen)
            check(sorted(seen) == sorted(b"r-%d" % i for i in range(FIRST, FIRST + SECOND)),
                  "after restart read %d records, not exactly the %d uncommitted ones"
                  % (len(seen), SECOND))
            c.close()
            b.stop()
    finally:
        os.unlink(cfg.name)
    print("ok")


if __name__ == "__main__":
    main()
