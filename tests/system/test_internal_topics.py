"""Internal topics are the broker's own: real clients (confluent-kafka, i.e.
librdkafka, and kafka-python) cannot produce to, delete, or alter the configs
of __consumer_offsets, get Kafka's error codes, and see the topic marked
internal in Metadata."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, committed_offsets, create_topic
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource
import kafka.errors
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource as KpConfigResource, ConfigResourceType

OFFSETS = "__consumer_offsets"


def commit_one_offset(bootstrap):
    """A group commit creates __consumer_offsets, as it does in Kafka."""
    create_topic(bootstrap, "plain", 1)
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "g", "enable.auto.commit": False})
    c.commit(offsets=[TopicPartition("plain", 0, 1)], asynchronous=False)
    c.close()
    check(committed_offsets(bootstrap, "g", "plain", 1) == {0: 1}, "the commit landed")


def produce_is_refused(bootstrap):
    results = []
    p = Producer({"bootstrap.servers": bootstrap, "message.timeout.ms": 10000,
                  "allow.auto.create.topics": False})
    p.produce(OFFSETS, b"value", key=b"key", partition=0,
              on_delivery=lambda err, msg: results.append(err))
    p.flush(15)
    check(len(results) == 1 and results[0] is not None, "delivery failed: %r" % results)
    check(results[0].code() == KafkaError.TOPIC_EXCEPTION,
          "INVALID_TOPIC_EXCEPTION, got %s" % results[0])


def delete_and_alter_are_refused(bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    err = None
    try:
        admin.delete_topics([OFFSETS], operation_timeout=10)[OFFSETS].result(15)
    except KafkaException as e:
        err = e.args[0]
    check(err is not None and err.code() == KafkaError.TOPIC_EXCEPTION,
          "delete refused with INVALID_TOPIC_EXCEPTION, got %r" % err)
    md = admin.list_topics(timeout=10)
    check(OFFSETS in md.topics, "__consumer_offsets is still there")

    kp = KafkaAdminClient(bootstrap_servers=bootstrap)
    res = kp.alter_configs([KpConfigResource(ConfigResourceType.TOPIC, OFFSETS,
                                             configs={"retention.ms": "1"})])
    code = res.resources[0][0]
    check(code == kafka.errors.PolicyViolationError.errno, "POLICY_VIOLATION, got %r" % (code,))
    topics = kp.describe_topics([OFFSETS])
    check(topics[0]["is_internal"], "Metadata marks it internal: %r" % topics[0])
    kp.close()


def main():
    with Broker() as b:
        commit_one_offset(b.bootstrap)
        produce_is_refused(b.bootstrap)
        delete_and_alter_are_refused(b.bootstrap)
    print("internal topics refused produce, delete and config changes")


if __name__ == "__main__":
    main()
