"""A fenced transactional producer is answered as Apache Kafka 3.x answers
it, so that clients raise their fatal "fenced" error.

- produce (confluent-kafka / librdkafka 2.0.2): producer A has an open
  transaction on partition 0; B with the same transactional id runs
  init_transactions (fences A, aborts its transaction). A's next record to
  partition 0 (no AddPartitionsToTxn: a Produce with the old epoch) fails and
  A's state becomes fatal with _FENCED (Produce answered
  INVALID_PRODUCER_EPOCH); commit_transaction raises a fatal error.
- add_partitions: A' is fenced and then produces to a partition new to its
  transaction: AddPartitionsToTxn (librdkafka sends v0) is refused, the
  error is fatal _FENCED.
- send_offsets: a fenced producer's send_offsets_to_transaction fails fatal.
- raw_versions: the answer of every version of Produce, AddPartitionsToTxn,
  AddOffsetsToTxn, TxnOffsetCommit, EndTxn and InitProducerId (KIP-360 with
  the old epoch) to a fenced epoch, as Kafka 3.x gives it:
  INVALID_PRODUCER_EPOCH (47) for Produce and TxnOffsetCommit in every
  version and for the coordinator APIs' versions that predate
  PRODUCER_FENCED; PRODUCER_FENCED (90) from AddPartitionsToTxn v2,
  AddOffsetsToTxn v2, EndTxn v2 and InitProducerId v4 on.
SPATE_TEST_CASE=substring runs only matching cases.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import GROUP_TEST_CONFIG, check, create_topic, run_cases
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from kafka_schema import SchemaConn
from kafka_wire import crc32c, varint
import struct

INVALID_PRODUCER_EPOCH = 47
PRODUCER_FENCED = 90


def txn_producer(bootstrap, txn_id):
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id, "acks": "all",
                  "linger.ms": 5})
    p.init_transactions(30)
    return p


def fatal_error(call, what):
    """Runs call(), which must raise a KafkaException; returns its KafkaError."""
    try:
        call()
    except KafkaException as e:
        return e.args[0]
    raise AssertionError("%s did not fail" % what)


def check_fenced(err, what):
    check(isinstance(err, KafkaError) and err.fatal() and err.code() == KafkaError._FENCED,
          "%s: expected a fatal _FENCED error, got %r" % (what, err))


def case_produce(b):
    topic = "fence-produce"
    create_topic(b.bootstrap, topic, 1)
    a = txn_producer(b.bootstrap, "fence-p")
    a.list_topics(topic, timeout=10)
    a.begin_transaction()
    a.produce(topic, value=b"a-0", partition=0)
    check(a.flush(30) == 0, "A did not flush")
    txn_producer(b.bootstrap, "fence-p")  # B: fences A
    results = []
    a.produce(topic, value=b"a-late", partition=0, on_delivery=lambda e, _m: results.append(e))
    try:
        a.flush(15)
    except KafkaException as e:
        results.append(e.args[0])
    check(results and results[0] is not None, "A's late record was delivered: %s" % results)
    err = fatal_error(lambda: a.commit_transaction(15), "A's commit_transaction")
    check_fenced(err, "A's commit after its Produce was refused")
    return "late record: %s; commit: %s" % (results[0], err)


def case_add_partitions(b):
    topic = "fence-add"
    create_topic(b.bootstrap, topic, 2)
    a = txn_producer(b.bootstrap, "fence-a")
    a.list_topics(topic, timeout=10)
    a.begin_transaction()
    a.produce(topic, value=b"a-0", partition=0)
    check(a.flush(30) == 0, "A did not flush")
    txn_producer(b.bootstrap, "fence-a")  # B: fences A
    a.produce(topic, value=b"a-1", partition=1)  # new partition: AddPartitionsToTxn
    try:
        a.flush(15)
    except KafkaException:
        pass
    err = fatal_error(lambda: a.commit_transaction(15), "A's commit_transaction")
    check_fenced(err, "A's commit after AddPartitionsToTxn was refused")
    return "commit: %s" % err


def case_send_offsets(b):
    topic = "fence-offsets"
    create_topic(b.bootstrap, topic, 1)
    a = txn_producer(b.bootstrap, "fence-o")
    a.begin_transaction()
    txn_producer(b.bootstrap, "fence-o")  # B: fences A
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "fence-g",
                  "enable.auto.commit": False})
    from confluent_kafka import TopicPartition
    err = fatal_error(lambda: a.send_offsets_to_transaction(
        [TopicPartition(topic, 0, 1)], c.consumer_group_metadata(), 15),
        "A's send_offsets_to_transaction")
    c.close()
    check_fenced(err, "A's send_offsets_to_transaction")
    return "send_offsets: %s" % err


def txn_batch(pid, epoch, seq):
    """A transactional v2 batch of one record."""
    body = b"\x00" + varint(0) + varint(0) + varint(-1) + varint(1) + b"x" + varint(0)
    recs = varint(len(body)) + body
    ts = 1_700_000_000_000
    after_crc = struct.pack(">hiqqqhii", 0x10, 0, ts, ts, pid, epoch, seq, 1) + recs
    rest = struct.pack(">ib", 0, 2) + struct.pack(">I", crc32c(after_crc)) + after_crc
    return struct.pack(">qi", 0, len(rest)) + rest


def case_raw_versions(b):
    topic = "fence-raw"
    create_topic(b.bootstrap, topic, 1)
    c = SchemaConn(b.port, client_id="fence-test")
    init = c.call("InitProducerId", 4, {"TransactionalId": "fence-r", "TransactionTimeoutMs": 60000,
                                        "ProducerId": -1, "ProducerEpoch": -1})
    check(init["ErrorCode"] == 0, "InitProducerId %d" % init["ErrorCode"])
    pid, old = init["ProducerId"], init["ProducerEpoch"]
    r = c.call("AddPartitionsToTxn", 3, {"V3AndBelowTransactionalId": "fence-r",
                                         "V3AndBelowProducerId": pid, "V3AndBelowProducerEpoch": old,
                                         "V3AndBelowTopics": [{"Name": topic, "Partitions": [0]}]})
    check(r["ResultsByTopicV3AndBelow"][0]["ResultsByPartition"][0]["PartitionErrorCode"] == 0,
          "AddPartitionsToTxn before fencing: %s" % r)
    r = c.call("AddOffsetsToTxn", 3, {"TransactionalId": "fence-r", "ProducerId": pid,
                                      "ProducerEpoch": old, "GroupId": "fence-rg"})
    check(r["ErrorCode"] == 0, "AddOffsetsToTxn before fencing: %d" % r["ErrorCode"])
    fence = c.call("InitProducerId", 4, {"TransactionalId": "fence-r", "TransactionTimeoutMs": 60000,
                                         "ProducerId": -1, "ProducerEpoch": -1})
    check(fence["ProducerEpoch"] > old, "the second InitProducerId did not bump the epoch")

    got, want = {}, {}
    for v in range(3, 10):
        r = c.call("Produce", v, {"TransactionalId": "fence-r", "Acks": -1, "TimeoutMs": 10000,
                                  "TopicData": [{"Name": topic, "PartitionData": [
                                      {"Index": 0, "Records": txn_batch(pid, old, 0)}]}]})
        got["Produce v%d" % v] = r["Responses"][0]["PartitionResponses"][0]["ErrorCode"]
        want["Produce v%d" % v] = INVALID_PRODUCER_EPOCH
    for v in range(0, 4):
        r = c.call("AddPartitionsToTxn", v, {
            "V3AndBelowTransactionalId": "fence-r", "V3AndBelowProducerId": pid,
            "V3AndBelowProducerEpoch": old, "V3AndBelowTopics": [{"Name": topic, "Partitions": [0]}]})
        got["AddPartitionsToTxn v%d" % v] = \
            r["ResultsByTopicV3AndBelow"][0]["ResultsByPartition"][0]["PartitionErrorCode"]
        want["AddPartitionsToTxn v%d" % v] = INVALID_PRODUCER_EPOCH if v < 2 else PRODUCER_FENCED
    for v in range(0, 5):
        r = c.call("AddOffsetsToTxn", v, {"TransactionalId": "fence-r", "ProducerId": pid,
                                          "ProducerEpoch": old, "GroupId": "fence-rg"})
        got["AddOffsetsToTxn v%d" % v] = r["ErrorCode"]
        want["AddOffsetsToTxn v%d" % v] = INVALID_PRODUCER_EPOCH if v < 2 else PRODUCER_FENCED
    for v in range(0, 5):
        r = c.call("TxnOffsetCommit", v, {
            "TransactionalId": "fence-r", "GroupId": "fence-rg", "ProducerId": pid,
            "ProducerEpoch": old, "Topics": [{"Name": topic, "Partitions": [
                {"PartitionIndex": 0, "CommittedOffset": 1, "CommittedMetadata": ""}]}]})
        got["TxnOffsetCommit v%d" % v] = r["Topics"][0]["Partitions"][0]["ErrorCode"]
        want["TxnOffsetCommit v%d" % v] = INVALID_PRODUCER_EPOCH
    for v in range(0, 5):
        r = c.call("EndTxn", v, {"TransactionalId": "fence-r", "ProducerId": pid,
                                 "ProducerEpoch": old, "Committed": True})
        got["EndTxn v%d" % v] = r["ErrorCode"]
        want["EndTxn v%d" % v] = INVALID_PRODUCER_EPOCH if v < 2 else PRODUCER_FENCED
    for v in range(3, 6):
        r = c.call("InitProducerId", v, {"TransactionalId": "fence-r",
                                         "TransactionTimeoutMs": 60000,
                                         "ProducerId": pid, "ProducerEpoch": old})
        got["InitProducerId v%d" % v] = r["ErrorCode"]
        want["InitProducerId v%d" % v] = INVALID_PRODUCER_EPOCH if v < 4 else PRODUCER_FENCED
    c.close()
    bad = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
    check(not bad, "answers to the fenced epoch (got, want): %s" % bad)
    return "%d API versions answer as Kafka 3.x" % len(want)


CASES = [case_produce, case_add_partitions, case_send_offsets, case_raw_versions]

if __name__ == "__main__":
    run_cases(CASES, "case_", config=GROUP_TEST_CONFIG)
