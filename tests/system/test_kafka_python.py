"""kafka-python 2.0.2 (pure Python): admin create/describe, 100,000 records per
codec (none, gzip, snappy, lz4, zstd; codecs via python3-snappy, python3-lz4,
python3-zstandard) with keys, headers and explicit timestamps read back
identical, ListOffsets (beginning/end/offsets_for_times), record deletion (no
DeleteRecords in kafka-python 2.0.2: `spate topic delete-records` is used and
observed through this client), SIGTERM restart re-read."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import (BASE_TS, CODECS, RECORDS_PER_CODEC as N, Broker, check, make_record,
                          spate_cli)
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic


def produce_all(bootstrap, topic, codec):
    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, batch_size=1000000,
                      compression_type=None if codec == "none" else codec,
                      buffer_memory=256 * 1024 * 1024)
    futures = []
    for i in range(N):
        key, value, headers, ts = make_record(i)
        futures.append(p.send(topic, value=value, key=key, headers=headers, partition=0,
                              timestamp_ms=ts))
    p.flush(120)
    for i, f in enumerate(futures):
        md = f.get(0)
        check(md.offset == i, "%s: record %d acknowledged at offset %d" % (topic, i, md.offset))
    p.close()


def consume_all(bootstrap, topic, from_beginning_or_offset):
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                      auto_offset_reset="none", max_poll_records=20000, check_crcs=True,
                      fetch_max_bytes=16 * 1024 * 1024, max_partition_fetch_bytes=8 * 1024 * 1024)
    tp = TopicPartition(topic, 0)
    c.assign([tp])
    if from_beginning_or_offset is None:
        c.seek_to_beginning(tp)
    else:
        c.seek(tp, from_beginning_or_offset)
    end = c.end_offsets([tp])[tp]
    out = []
    idle = 0
    while c.position(tp) < end and idle < 20:
        batch = c.poll(timeout_ms=500)
        if not batch:
            idle += 1
            continue
        idle = 0
        for r in batch.get(tp, []):
            out.append((r.offset, r.key, r.value, list(r.headers), r.timestamp))
    c.close()
    return out


def expected(start):
    return [(i,) + tuple(make_record(i)[:2]) + (make_record(i)[2], make_record(i)[3])
            for i in range(start, N)]


def main():
    with Broker() as b:
        admin = KafkaAdminClient(bootstrap_servers=b.bootstrap)
        topics = ["kp-%s" % c for c in CODECS]
        admin.create_topics([NewTopic(t, num_partitions=1, replication_factor=1,
                                      topic_configs={"retention.bytes": "-1"}) for t in topics])
        check(set(topics) <= set(admin.list_topics()), "list_topics lacks the new topics")
        resp = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-none")])
        entries = {e[0]: e[1] for e in resp[0].resources[0][4]}
        check(entries.get("retention.bytes") == "-1", "retention.bytes = %r" % entries.get("retention.bytes"))

        for codec, t in zip(CODECS, topics):
            produce_all(b.bootstrap, t, codec)
            got = consume_all(b.bootstrap, t, None)
            check(len(got) == N, "%s: consumed %d of %d" % (t, len(got), N))
            check(got == expected(0), "%s: consumed records differ from produced" % t)

        c = KafkaConsumer(bootstrap_servers=b.bootstrap, group_id=None)
        for t in topics:
            tp = TopicPartition(t, 0)
            check(c.beginning_offsets([tp])[tp] == 0, "%s: beginning offset" % t)
            check(c.end_offsets([tp])[tp] == N, "%s: end offset" % t)
            r = c.offsets_for_times({tp: BASE_TS + 777})[tp]
            check(r is not None and r.offset == 777 and r.timestamp == BASE_TS + 777,
                  "%s: offsets_for_times %r" % (t, r))
            check(c.offsets_for_times({tp: BASE_TS + N + 1})[tp] is None,
                  "%s: offsets_for_times past the end" % t)
        c.close()

        spate_cli(b, "topic", "delete-records", "kp-lz4", "--partition", "0", "--before", "3000")
        c = KafkaConsumer(bootstrap_servers=b.bootstrap, group_id=None)
        tp = TopicPartition("kp-lz4", 0)
        check(c.beginning_offsets([tp])[tp] == 3000, "beginning after delete-records")
        c.close()
        check(consume_all(b.bootstrap, "kp-lz4", None) == expected(3000),
              "after delete-records: read from beginning differs")

        b.restart()
        for t in topics:
            start = 3000 if t == "kp-lz4" else 0
            check(consume_all(b.bootstrap, t, None) == expected(start),
                  "%s: records differ after restart" % t)
        admin.close()
        b.stop()
    print("ok")


if __name__ == "__main__":
    main()
