"""confluent-kafka-python (librdkafka): admin create/describe, 100,000 records
per codec with keys, headers and explicit timestamps read back identical,
ListOffsets (watermarks, offsets_for_times), record deletion (the client has
no DeleteRecords in 1.7: `spate topic delete-records`, i.e. librdkafka's
admin API, is used and observed through this client), SIGTERM restart
re-read."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import (BASE_TS, CODECS, RECORDS_PER_CODEC as N, Broker, check, consume_all,
                          make_record, spate_cli)
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic


def produce_all(bootstrap, topic, codec):
    errors = []
    p = Producer({"bootstrap.servers": bootstrap, "compression.codec": codec, "acks": "all",
                  "linger.ms": 5, "batch.size": 1000000, "queue.buffering.max.messages": 200000})

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err)

    for i in range(N):
        key, value, headers, ts = make_record(i)
        while True:
            try:
                p.produce(topic, value=value, key=key, headers=headers, timestamp=ts,
                          partition=0, on_delivery=on_delivery)
                break
            except BufferError:
                p.poll(0.05)
        if i % 10000 == 0:
            p.poll(0)
    check(p.flush(60) == 0, "%s: messages left after flush" % topic)
    check(not errors, "%s: %d delivery errors, first %s" % (topic, len(errors), errors[:1]))


def expected(start):
    out = []
    for i in range(start, N):
        key, value, headers, ts = make_record(i)
        out.append((i, key, value, headers, ts))
    return out


def main():
    with Broker() as b:
        admin = AdminClient({"bootstrap.servers": b.bootstrap})
        topics = ["ck-%s" % c for c in CODECS]
        fs = admin.create_topics([NewTopic(t, 1, 1, config={"retention.ms": "-1"}) for t in topics])
        for t, f in fs.items():
            f.result(30)
        md = admin.list_topics(timeout=10)
        for t in topics:
            check(t in md.topics and len(md.topics[t].partitions) == 1, "metadata lacks %s" % t)
        res = admin.describe_configs([ConfigResource("topic", topics[0])])
        for r, f in res.items():
            cfg = f.result(30)
            check(cfg["retention.ms"].value == "-1", "retention.ms = %s" % cfg["retention.ms"].value)

        for codec, t in zip(CODECS, topics):
            produce_all(b.bootstrap, t, codec)
            got = consume_all(b.bootstrap, t, 0, N)
            check(len(got) == N, "%s: consumed %d of %d" % (t, len(got), N))
            check(got == expected(0), "%s: consumed records differ from produced" % t)

        c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "unused", "enable.auto.commit": False})
        for t in topics:
            lo, hi = c.get_watermark_offsets(TopicPartition(t, 0), timeout=10)
            check((lo, hi) == (0, N), "%s: watermarks %s" % (t, (lo, hi)))
            r = c.offsets_for_times([TopicPartition(t, 0, BASE_TS + 12345)], timeout=10)
            check(r[0].offset == 12345, "%s: offset for time %d" % (t, r[0].offset))
            r = c.offsets_for_times([TopicPartition(t, 0, BASE_TS + N + 5)], timeout=10)
            check(r[0].offset == -1, "%s: offset for a future time %d" % (t, r[0].offset))
        c.close()

        spate_cli(b, "topic", "delete-records", "ck-gzip", "--partition", "0", "--before", "5000")
        c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "unused", "enable.auto.commit": False})
        lo, hi = c.get_watermark_offsets(TopicPartition("ck-gzip", 0), timeout=10)
        check((lo, hi) == (5000, N), "after delete-records watermarks %s" % ((lo, hi),))
        c.close()
        got = consume_all(b.bootstrap, "ck-gzip", -2, N)  # -2: OFFSET_BEGINNING
        check(got == expected(5000), "after delete-records: read from beginning differs")

        b.restart()
        for t in topics:
            start = 5000 if t == "ck-gzip" else 0
            got = consume_all(b.bootstrap, t, -2, N)
            check(got == expected(start), "%s: records differ after restart" % t)
        c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "unused", "enable.auto.commit": False})
        lo, hi = c.get_watermark_offsets(TopicPartition("ck-gzip", 0), timeout=10)
        check((lo, hi) == (5000, N), "after restart watermarks %s" % ((lo, hi),))
        c.close()
        fs = admin.delete_topics(["ck-none"])
        for t, f in fs.items():
            f.result(30)
        b.stop()
    print("ok")


if __name__ == "__main__":
    main()
