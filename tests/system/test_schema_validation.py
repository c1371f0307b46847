"""Broker-side schema id validation with confluent-kafka-python: a topic
created with confluent.value.schema.validation=true (AdminClient) refuses
records without a schema id registered under <topic>-value (plain bytes, an
unknown id, an id of another subject) with a delivery error the producer sees
(INVALID_RECORD), and acknowledges records JSONSerializer framed with the id
registered through SchemaRegistryClient, which consume back and decode. A
topic whose validation is turned on later (AlterConfigs) keeps the records
stored before unchanged."""

import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, consume_all, create_topic
from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import AdminClient, ConfigResource
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

ORDER = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Order",
    "type": "object",
    "properties": {"id": {"type": "integer"}, "item": {"type": "string"}},
    "required": ["id", "item"],
})
PAYMENT = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Payment",
    "type": "object",
    "properties": {"amount": {"type": "number"}},
})


def produce(bootstrap, topic, values):
    """Produces `values` (one flush) and returns each one's delivery error
    (None when acknowledged), in order."""
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    results = {}

    def on_delivery(err, msg, i):
        results[i] = err

    for i, v in enumerate(values):
        p.produce(topic, value=v, partition=0,
                  on_delivery=lambda err, msg, i=i: on_delivery(err, msg, i))
    check(p.flush(30) == 0, "%s: messages left after flush" % topic)
    return [results.get(i, "no delivery report") for i in range(len(values))]


def check_all_refused(errors, what):
    for e in errors:
        check(isinstance(e, KafkaError) and e.code() == KafkaError.INVALID_RECORD,
              "%s: expected INVALID_RECORD, got %r" % (what, e))


def framed(schema_id, payload):
    return b"\0" + struct.pack(">I", schema_id) + payload


def values_of(bootstrap, topic, count):
    return [r[2] for r in consume_all(bootstrap, topic, 0, count, idle_polls=30)]


def validated_topic(b, sr):
    """A topic created with value validation on: only valid records land."""
    topic = "sv-orders"
    create_topic(b.bootstrap, topic, 1, {"confluent.value.schema.validation": "true"})
    order_id = sr.register_schema(topic + "-value", Schema(ORDER, "JSON"))
    payment_id = sr.register_schema("sv-payments-value", Schema(PAYMENT, "JSON"))
    check(order_id != payment_id, "two schemas got one id %d" % order_id)

    check_all_refused(produce(b.bootstrap, topic, [b"plain json"]), "no magic byte")
    check_all_refused(produce(b.bootstrap, topic, [framed(order_id + payment_id + 1000, b"{}")]),
                      "unknown id")
    check_all_refused(produce(b.bootstrap, topic, [framed(payment_id, b'{"amount": 1}')]),
                      "id of another subject")

    ser = JSONSerializer(ORDER, sr, conf={"auto.register.schemas": False})
    ctx = SerializationContext(topic, MessageField.VALUE)
    orders = [{"id": i, "item": "item-%d" % i} for i in range(3)]
    encoded = [ser(o, ctx) for o in orders]
    check(all(struct.unpack(">I", e[1:5])[0] == order_id for e in encoded),
          "serializer framed another id than %d" % order_id)
    errors = produce(b.bootstrap, topic, encoded)
    check(errors == [None] * 3, "valid records refused: %r" % errors)

    got = values_of(b.bootstrap, topic, 10)
    check(got == encoded, "stored values differ: %d records" % len(got))
    de = JSONDeserializer(ORDER)
    check([de(v, ctx) for v in got] == orders, "decoded records differ")


def enabled_later(b, sr):
    """Validation turned on for a topic with data: the data stays as it was."""
    topic = "sv-later"
    create_topic(b.bootstrap, topic, 1)
    before = [b"before-%d" % i for i in range(3)]
    check(produce(b.bootstrap, topic, before) == [None] * 3, "plain records refused before")
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    res = ConfigResource("topic", topic, set_config={"confluent.value.schema.validation": "true"})
    for f in admin.alter_configs([res]).values():
        f.result(30)
    check_all_refused(produce(b.bootstrap, topic, [b"after"]), "plain record after enabling")
    sid = sr.register_schema(topic + "-value", Schema(ORDER, "JSON"))
    valid = framed(sid, b'{"id": 7, "item": "x"}')
    check(produce(b.bootstrap, topic, [valid]) == [None], "valid record refused after enabling")
    got = values_of(b.bootstrap, topic, 10)
    check(got == before + [valid], "stored values: %r" % got)


def main():
    with Broker(extra_args=["--http-listen", "127.0.0.1:0"]) as b:
        sr = SchemaRegistryClient({"url": b.registry_url})
        validated_topic(b, sr)
        enabled_later(b, sr)
    print("ok")


if __name__ == "__main__":
    main()
