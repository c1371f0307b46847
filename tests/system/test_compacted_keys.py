"""Compacted topics refuse records without a key, as Apache Kafka does.

- confluent-kafka (librdkafka, Produce v7): a topic created with
  cleanup.policy=compact (AdminClient) refuses a keyless record with
  INVALID_RECORD in its delivery report, while keyed records are stored; a
  compact,delete topic refuses too; a delete topic stores keyless records.
- Raw Produce v9 (record_errors are v8+, which no Debian client asks for):
  a batch of keyed and keyless records is refused whole with INVALID_RECORD,
  Kafka's per-record messages at the keyless records' indexes, and an
  error_message summing them up; nothing of the batch is stored (log end
  offsets unchanged, a consumer reads only the keyed records produced before).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, consume_all, create_topic
from confluent_kafka import KafkaError, Producer, TopicPartition, Consumer
from kafka_schema import SchemaConn
from kafka_wire import crc32c, varint
import struct

INVALID_RECORD = 87


def produce(bootstrap, topic, records):
    """Produces (key, value) pairs to partition 0 in one flush; returns each
    one's delivery error (None when stored), in order."""
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    results = {}
    for i, (k, v) in enumerate(records):
        p.produce(topic, key=k, value=v, partition=0,
                  on_delivery=lambda err, msg, i=i: results.__setitem__(i, err))
    check(p.flush(30) == 0, "%s: messages left after flush" % topic)
    return [results.get(i, "no delivery report") for i in range(len(records))]


def end_offset(bootstrap, topic):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused"})
    try:
        return c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1]
    finally:
        c.close()


def batch(keys, ts=1_700_000_000_000):
    """An uncompressed v2 batch, one record per key (None: no key), value b"v"."""
    recs = b""
    for i, k in enumerate(keys):
        key = varint(-1) if k is None else varint(len(k)) + k
        body = b"\x00" + varint(0) + varint(i) + key + varint(1) + b"v" + varint(0)
        recs += varint(len(body)) + body
    after_crc = struct.pack(">hiqqqhii", 0, len(keys) - 1, ts, ts, -1, -1, -1, len(keys)) + recs
    rest = struct.pack(">ib", 0, 2) + struct.pack(">I", crc32c(after_crc)) + after_crc
    return struct.pack(">qi", 0, len(rest)) + rest


def case_confluent_kafka(b):
    create_topic(b.bootstrap, "compacted", 1, {"cleanup.policy": "compact"})
    create_topic(b.bootstrap, "both", 1, {"cleanup.policy": "compact,delete"})
    create_topic(b.bootstrap, "plain", 1)
    errs = produce(b.bootstrap, "compacted", [(b"k1", b"a"), (b"k2", b"b")])
    check(errs == [None, None], "keyed records to a compacted topic: %s" % errs)
    for topic in ("compacted", "both"):
        errs = produce(b.bootstrap, topic, [(None, b"keyless")])
        e = errs[0]
        check(isinstance(e, KafkaError) and e.code() == KafkaError.INVALID_RECORD,
              "keyless record to %s: expected INVALID_RECORD, got %r" % (topic, e))
    check(end_offset(b.bootstrap, "compacted") == 2, "compacted end offset %d"
          % end_offset(b.bootstrap, "compacted"))
    check(end_offset(b.bootstrap, "both") == 0, "compact,delete end offset")
    errs = produce(b.bootstrap, "plain", [(None, b"keyless")])
    check(errs == [None], "keyless record to a delete topic: %s" % errs)


def case_raw_record_errors(b):
    conn = SchemaConn(b.port)
    r = conn.call("Produce", 9, {
        "Acks": -1, "TimeoutMs": 10000,
        "TopicData": [{"Name": "compacted", "PartitionData": [
            {"Index": 0, "Records": batch([b"k3", None, b"k4", None, None])}]}]})
    p = r["Responses"][0]["PartitionResponses"][0]
    check(p["ErrorCode"] == INVALID_RECORD, "Produce v9 error %d" % p["ErrorCode"])
    got = [(e["BatchIndex"], e["BatchIndexErrorMessage"]) for e in p["RecordErrors"]]
    want_msg = "Compacted topic cannot accept message without key in topic partition compacted-0"
    check(got == [(1, want_msg), (3, want_msg), (4, want_msg)], "record_errors %s" % got)
    msg = p["ErrorMessage"] or ""
    check("3 record errors" in msg and "batchIndex=1" in msg and "batchIndex=4" in msg,
          "error_message %r" % msg)
    conn.close()
    check(end_offset(b.bootstrap, "compacted") == 2, "a refused batch left records behind")
    got = [(k, v) for _o, k, v, _h, _t in consume_all(b.bootstrap, "compacted", 0, 2)]
    check(got == [(b"k1", b"a"), (b"k2", b"b")], "stored records %s" % got)


def main():
    with Broker() as b:
        case_confluent_kafka(b)
        case_raw_record_errors(b)
    print("compacted topics refuse keyless records (confluent-kafka and Produce v9 record_errors)")


if __name__ == "__main__":
    main()
