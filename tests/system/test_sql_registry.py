"""SQL over the schema registry with confluent-kafka-python's serializers:
a json_sr source over records of JSONSerializer and a protobuf source over
records of ProtobufSerializer, both taking their columns from the
registered schema; a json_sr sink read back by JSONDeserializer (which
validates against the registered schema) and an avro sink decoded with the
schema the registry holds for its id; an incompatible sink schema refused
with SQLSTATE 42804; after a restart the sinks keep writing with their ids."""

import io
import json
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
import psycopg2  # noqa: E402
from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: E402
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer  # noqa: E402
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer  # noqa: E402
from confluent_kafka.serialization import MessageField, SerializationContext  # noqa: E402
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory  # noqa: E402
from spate_broker import check, create_topic  # noqa: E402
from spate_sql import SqlServer, sink_rows  # noqa: E402

EVENT_SCHEMA = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "event",
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "amount": {"type": "number"},
        "at": {"type": "string", "format": "date-time"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["id", "name"],
})


def event(i):
    return {"id": i, "name": "n%d" % i, "amount": i * 1.5,
            "at": "2024-05-01T10:00:%02dZ" % (i % 60), "tags": ["t%d" % (i % 3)]}


def produce(bootstrap, topic, values):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for v in values:
        p.produce(topic, value=v)
    check(p.flush(30) == 0, "records of %s not delivered" % topic)


def order_class():
    """A protobuf message class built at run time (no protoc): shop.Order."""
    f = descriptor_pb2.FileDescriptorProto(name="shop_order.proto", package="shop", syntax="proto3")
    m = f.message_type.add(name="Order")
    T = descriptor_pb2.FieldDescriptorProto
    for number, (name, typ, label) in enumerate([
            ("id", T.TYPE_INT64, T.LABEL_OPTIONAL), ("item", T.TYPE_STRING, T.LABEL_OPTIONAL),
            ("price", T.TYPE_DOUBLE, T.LABEL_OPTIONAL), ("paid", T.TYPE_BOOL, T.LABEL_OPTIONAL),
            ("codes", T.TYPE_INT32, T.LABEL_REPEATED)], start=1):
        m.field.add(name=name, number=number, type=typ, label=label)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("shop.Order"))


def query(conn, sql):
    cur = conn.cursor()
    cur.execute(sql)
    return cur.fetchall()


def test_json_sr_source(srv, conn, registry):
    create_topic(srv.bootstrap, "events", 2)
    ser = JSONSerializer(EVENT_SCHEMA, registry)
    ctx = SerializationContext("events", MessageField.VALUE)
    values = [ser(event(i), ctx) for i in range(30)]
    values.append(b'{"id": 999, "name": "no header"}')  # not framed: skipped
    produce(srv.bootstrap, "events", values)
    conn.cursor().execute("CREATE SOURCE events WITH (topic = 'events', format = 'json_sr')")
    # Columns in the order of the registry's text (its canonical form may
    # order properties differently than written).
    cols = query(conn, "SELECT column_name, data_type FROM information_schema.columns "
                       "WHERE table_name = 'events'")
    check(sorted(cols) == [("amount", "double precision"), ("at", "timestamp with time zone"),
                           ("id", "bigint"), ("name", "text"), ("tags", "jsonb")],
          "columns %r" % cols)
    rows = query(conn, "SELECT id, name, amount, at::text, tags::text FROM events ORDER BY id")
    check(len(rows) == 30, "%d rows" % len(rows))
    check(rows[7] == (7, "n7", 10.5, "2024-05-01 10:00:07+00", '["t1"]'), "row %r" % (rows[7],))


def test_protobuf_source(srv, conn, registry):
    create_topic(srv.bootstrap, "orders", 1)
    Order = order_class()
    ser = ProtobufSerializer(Order, registry)
    ctx = SerializationContext("orders", MessageField.VALUE)
    produce(srv.bootstrap, "orders",
            [ser(Order(id=i, item="item%d" % i, price=i / 4, paid=i % 2 == 0, codes=[i, i + 1]), ctx)
             for i in range(12)])
    conn.cursor().execute("CREATE SOURCE orders WITH (topic = 'orders', format = 'protobuf')")
    rows = query(conn, "SELECT id, item, price, paid, codes::text FROM orders ORDER BY id")
    check(len(rows) == 12, "%d rows" % len(rows))
    # proto3 scalars without presence read their defaults when unset (id 0, paid false).
    check(rows[0] == (0, "item0", 0.0, True, "[0, 1]"), "row %r" % (rows[0],))
    check(rows[5] == (5, "item5", 1.25, False, "[5, 6]"), "row %r" % (rows[5],))


def read_avro(buf, schema):
    """Reads one value of `schema` (the shapes a sink derives: a record of
    nullable primitives and logical types) from `buf`."""
    def long_():
        shift = result = 0
        while True:
            b = buf.read(1)[0]
            result |= (b & 0x7f) << shift
            shift += 7
            if not b & 0x80:
                return (result >> 1) ^ -(result & 1)

    def value(t):
        if isinstance(t, list):
            return value(t[long_()])
        if isinstance(t, dict) and t["type"] == "record":
            return {f["name"]: value(f["type"]) for f in t["fields"]}
        base = t["type"] if isinstance(t, dict) else t
        if base == "null":
            return None
        if base in ("int", "long"):
            return long_()
        if base == "double":
            return struct.unpack("<d", buf.read(8))[0]
        if base == "boolean":
            return buf.read(1) == b"\x01"
        raw = buf.read(long_())
        if isinstance(t, dict) and t.get("logicalType") == "decimal":
            return (int.from_bytes(raw, "big", signed=True), t["scale"])
        return raw.decode() if base == "string" else raw
    return value(schema)


def unframe(v):
    check(v[0] == 0, "no magic byte: %r" % v[:8])
    return struct.unpack(">i", v[1:5])[0], v[5:]


def test_sinks(srv, conn, registry):
    cur = conn.cursor()
    cur.execute("CREATE SINK events_avro AS SELECT id, name, CAST(amount * 2 AS NUMERIC(10,2)) AS dbl, "
                "at FROM events WHERE id % 3 = 0 WITH (topic = 'events_avro', format = 'avro')")
    cur.execute("CREATE SINK events_js AS SELECT id, name, amount, tags FROM events "
                "WHERE id < 10 WITH (topic = 'events_js', format = 'json_sr')")
    avro_id = registry.get_latest_version("events_avro-value").schema_id
    schema = json.loads(registry.get_schema(avro_id).schema_str)
    check(schema["name"] == "events_avro", "record name %r" % schema["name"])
    rows = []
    for v in sink_rows(srv.bootstrap, "events_avro", 10):
        sid, payload = unframe(v)
        check(sid == avro_id, "avro sink wrote id %d, registered %d" % (sid, avro_id))
        rows.append(read_avro(io.BytesIO(payload), schema))
    rows.sort(key=lambda r: r["id"])
    check(len(rows) == 10, "%d avro rows" % len(rows))
    check(rows[1] == {"id": 3, "name": "n3", "dbl": (900, 2), "at": 1714557603000000},
          "avro row %r" % rows[1])
    js_id = registry.get_latest_version("events_js-value").schema_id
    de = JSONDeserializer(registry.get_schema(js_id).schema_str)
    ctx = SerializationContext("events_js", MessageField.VALUE)
    values = sink_rows(srv.bootstrap, "events_js", 10)
    check({unframe(v)[0] for v in values} == {js_id}, "json_sr sink ids")
    js = sorted((de(v, ctx) for v in values), key=lambda r: r["id"])
    check(js[4] == {"id": 4, "name": "n4", "amount": 6, "tags": ["t1"]}, "json_sr row %r" % js[4])
    return avro_id


def test_incompatible_sink_refused(conn, registry):
    registry.set_compatibility("events_avro-value", "FULL")
    cur = conn.cursor()
    try:
        cur.execute("CREATE SINK clash AS SELECT name AS id FROM events "
                    "WITH (topic = 'events_avro', format = 'avro')")
        raise AssertionError("an incompatible sink schema was accepted")
    except psycopg2.Error as e:
        check(e.pgcode == "42804", "SQLSTATE %s: %s" % (e.pgcode, e))
        check("incompatible with subject \"events_avro-value\"" in str(e), "message %s" % e)
    cur.execute("SHOW SINKS")
    check(sorted(r[0] for r in cur.fetchall()) == ["events_avro", "events_js"],
          "a refused sink was created")


def test_restart_keeps_ids(srv, registry, avro_id):
    srv.restart()
    ser = JSONSerializer(EVENT_SCHEMA, registry)
    ctx = SerializationContext("events", MessageField.VALUE)
    produce(srv.bootstrap, "events", [ser(event(i), ctx) for i in range(30, 36)])
    values = sink_rows(srv.bootstrap, "events_avro", 12)
    check(len(values) == 12, "%d avro rows after restart" % len(values))
    check({unframe(v)[0] for v in values} == {avro_id}, "ids changed across the restart")


def main():
    with SqlServer(extra_args=["--http-listen", "127.0.0.1:0"]) as srv:
        registry = SchemaRegistryClient({"url": srv.registry_url})
        conn = srv.connect()
        test_json_sr_source(srv, conn, registry)
        print("ok json_sr source")
        test_protobuf_source(srv, conn, registry)
        print("ok protobuf source")
        avro_id = test_sinks(srv, conn, registry)
        print("ok sinks")
        test_incompatible_sink_refused(conn, registry)
        print("ok incompatible sink refused")
        conn.close()
        test_restart_keeps_ids(srv, registry, avro_id)
        print("ok restart")


if __name__ == "__main__":
    main()
