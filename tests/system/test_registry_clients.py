"""confluent-kafka-python 1.7's schema registry clients against Spate, with
records through Spate's Kafka listener:

- ProtobufSerializer / ProtobufDeserializer with message classes protoc
  generates at run time (`protoc --python_out` into a temp dir): records
  produced by a SerializingProducer and read by a DeserializingConsumer
  are equal; the serializer's auto-registration of the file's imports (the
  well-known google/protobuf/{timestamp,duration,wrappers}.proto and a file
  of ours) registers each under its own subject and references them; the
  same file registered as .proto text gets the serializer's id.
- JSONSerializer / JSONDeserializer through the broker likewise.
- Evolution at BACKWARD and FORWARD for JSON and PROTOBUF: test_compatibility
  tells the incompatible change from the compatible one; registering the
  incompatible one (directly, and by a serializer about to produce) raises
  SchemaRegistryError with HTTP status 409, leaving the subject as it was;
  the compatible one is registered and its records read with the other
  version's deserializer. Protobuf versions are classes built from protoc's
  descriptor sets in their own descriptor pools.
- A restart on the same data directory keeps every subject's versions and
  ids; the old records still deserialize; serializers with fresh clients get
  the old ids; a new schema gets a new id.

Every case runs even when an earlier one fails; the file fails if any did."""

import atexit
import base64
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, DeserializingConsumer, SerializingProducer, TopicPartition
from confluent_kafka.error import ValueSerializationError
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import StringDeserializer, StringSerializer
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import check, create_topic, run_cases

N = 40  # records per round-trip topic
TMP = tempfile.mkdtemp(prefix="spate-registry-clients-")
atexit.register(shutil.rmtree, TMP, True)

COMMON_PROTO = """syntax = "proto3";
package spate.common;

message Money {
  string currency = 1;
  int64 units = 2;
}
"""

READING_PROTO = """syntax = "proto3";
package spate.test;

import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
import "spate_test/common.proto";

message Reading {
  string sensor = 1;
  double value = 2;
  google.protobuf.Timestamp at = 3;
  google.protobuf.Duration window = 4;
  google.protobuf.StringValue label = 5;
  repeated string tags = 6;
  map<string, int64> counts = 7;
  Kind kind = 8;
  spate.common.Money price = 9;
  message Inner {
    int32 depth = 1;
  }
  Inner inner = 10;
  oneof source {
    string device = 11;
    int32 station = 12;
  }
}

enum Kind {
  KIND_UNSPECIFIED = 0;
  TEMP = 1;
  HUMIDITY = 2;
}
"""

READING_REFS = ["google/protobuf/timestamp.proto", "google/protobuf/duration.proto",
                "google/protobuf/wrappers.proto", "spate_test/common.proto"]

JSON_READING = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Reading",
    "type": "object",
    "properties": {
        "sensor": {"type": "string"},
        "value": {"type": "number"},
        "count": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "kind": {"enum": ["TEMP", "HUMIDITY"]},
        "note": {"type": ["string", "null"]},
        "where": {"type": "object", "properties": {"lat": {"type": "number"},
                                                   "lon": {"type": "number"}},
                  "required": ["lat", "lon"]},
    },
    "required": ["sensor", "value"],
})

state = {}  # what the cases leave for the restart case


def protoc(out_dir, files, descriptor_set=None):
    """Writes `files` ({path: text}) under out_dir/src and runs protoc on them:
    Python modules into out_dir (--python_out), or a FileDescriptorSet with
    imports (--descriptor_set_out)."""
    src = os.path.join(out_dir, "src")
    for path, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(src, path)), exist_ok=True)
        with open(os.path.join(src, path), "w") as f:
            f.write(text)
    args = ["protoc", "-I", src]
    if descriptor_set:
        args += ["--include_imports", "--descriptor_set_out=" + descriptor_set]
    else:
        args += ["--python_out=" + out_dir]
    p = subprocess.run(args + sorted(files), capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, "protoc failed: %s" % p.stderr)


def message_class(text, name, tag):
    """The class of message `name` of a one-file schema `text` (file
    compat.proto), built from protoc's descriptor set in a pool of its own, so
    versions of one message live side by side."""
    out = os.path.join(TMP, tag)
    os.makedirs(out)
    path = os.path.join(out, "set.pb")
    protoc(out, {"compat.proto": text}, descriptor_set=path)
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName(name))


def reading_module():
    if "reading" not in state:
        protoc(TMP, {"spate_test/common.proto": COMMON_PROTO, "spate_test/reading.proto": READING_PROTO})
        sys.path.insert(0, TMP)
        state["reading"] = importlib.import_module("spate_test.reading_pb2")
    return state["reading"]


def make_reading(pb, i):
    r = pb.Reading(sensor="s%d" % (i % 4), value=i * 1.5 + 0.25, tags=["t%d" % i, "all"],
                   kind=pb.TEMP if i % 3 else pb.HUMIDITY)
    r.at.FromMilliseconds(1_700_000_000_000 + i * 1000)
    r.window.FromSeconds(60 + i)
    if i % 2:
        r.label.value = "label %d" % i
    r.counts["a"] = i
    r.counts["b"] = 1 << 40
    r.price.currency = "EUR"
    r.price.units = 100 + i
    r.inner.depth = i
    if i % 2:
        r.device = "dev-%d" % i
    else:
        r.station = i
    return r


def produce(b, topic, serializer, values, first=0):
    """Produces values with a SerializingProducer, keys k<first>, k<first+1>...;
    asserts every delivery succeeded."""
    # log_level 4: no notices from producers a refused serializer leaves unflushed.
    p = SerializingProducer({"bootstrap.servers": b.bootstrap, "acks": "all", "linger.ms": 5,
                             "log_level": 4,
                             "key.serializer": StringSerializer("utf_8"),
                             "value.serializer": serializer})
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err)

    # The topic's metadata first: a record produced before librdkafka knows
    # the topic can wait for its 1 s scan of unknown topics.
    p.list_topics(topic, timeout=10)
    for i, v in enumerate(values):
        p.produce(topic, key="k%d" % (first + i), value=v, on_delivery=on_delivery)
        p.poll(0)
    check(p.flush(30) == 0, "%s: messages left after flush" % topic)
    check(not errors, "%s: %d delivery errors, first %s" % (topic, len(errors), errors[:1]))


def consume(b, topic, deserializer, count, timeout=30.0):
    """The first `count` values of partition 0, deserialized by a
    DeserializingConsumer reading from the beginning."""
    c = DeserializingConsumer({"bootstrap.servers": b.bootstrap, "group.id": "unused",
                               "enable.auto.commit": False, "fetch.wait.max.ms": 50,
                               "key.deserializer": StringDeserializer("utf_8"),
                               "value.deserializer": deserializer})
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    out = []
    deadline = time.monotonic() + timeout
    try:
        while len(out) < count:
            check(time.monotonic() < deadline, "%s: read %d of %d records in %.0fs"
                  % (topic, len(out), count, timeout))
            m = c.poll(0.1)
            if m is None:
                continue
            check(m.error() is None, "%s: %s" % (topic, m.error()))
            check(m.key() == "k%d" % len(out), "%s: key %r at %d" % (topic, m.key(), len(out)))
            out.append(m.value())
    finally:
        c.close()
    return out


def raw_values(b, topic, count, timeout=30.0):
    """The first `count` raw values of partition 0."""
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "unused",
                  "enable.auto.commit": False, "fetch.wait.max.ms": 50})
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    out = []
    deadline = time.monotonic() + timeout
    try:
        while len(out) < count:
            check(time.monotonic() < deadline, "%s: read %d of %d raw records" % (topic, len(out), count))
            for m in c.consume(count, 0.1):
                check(m.error() is None, "%s: %s" % (topic, m.error()))
                out.append(m.value())
    finally:
        c.close()
    return out[:count]


def framed_id(data):
    check(data[0] == 0, "no magic byte: %r" % data[:6])
    return int.from_bytes(data[1:5], "big")


def refused_409(fn, what):
    """Calls fn(), which must raise SchemaRegistryError with HTTP 409 (or a
    ValueSerializationError wrapping one); returns its message."""
    try:
        fn()
    except ValueSerializationError as e:
        err = e.exception
    except SchemaRegistryError as e:
        err = e
    else:
        raise AssertionError("%s: an incompatible schema was registered" % what)
    # Its traceback holds the serializing producer: let that one go now.
    err.__traceback__ = None
    check(isinstance(err, SchemaRegistryError), "%s: raised %r" % (what, err))
    check((err.http_status_code, err.error_code) == (409, 409),
          "%s: refused with %s/%s: %s" % (what, err.http_status_code, err.error_code, err.error_message))
    check("incompatible" in err.error_message.lower(), "%s: message %r" % (what, err.error_message))
    return err.error_message


# ---------------------------------------------------------------------- cases

def case_protobuf_round_trip(b):
    pb = reading_module()
    topic = "py-pb"
    create_topic(b.bootstrap, topic, 1)
    sr = SchemaRegistryClient({"url": b.registry_url})
    values = [make_reading(pb, i) for i in range(N)]
    produce(b, topic, ProtobufSerializer(pb.Reading, sr), values)
    got = consume(b, topic, ProtobufDeserializer(pb.Reading), N)
    check(got == values, "protobuf records differ: first %s vs %s" % (got[:1], values[:1]))

    latest = sr.get_latest_version(topic + "-value")
    check(latest.schema.schema_type == "PROTOBUF" and latest.version == 1,
          "latest: %s v%s" % (latest.schema.schema_type, latest.version))
    ids = {framed_id(v) for v in raw_values(b, topic, N)}
    check(ids == {latest.schema_id}, "records framed with ids %s, the subject's is %d"
          % (ids, latest.schema_id))
    # Message index [0] (the file's first message) right after the id.
    check(raw_values(b, topic, 1)[0][5] == 0, "message index not 0")

    # Every import was registered under its own subject and is referenced.
    refs = [(r["name"], r["subject"], r["version"]) for r in latest.schema.references]
    check(refs == [(n, n, 1) for n in READING_REFS], "references: %s" % refs)
    subjects = sr.get_subjects()
    dep_ids = {}
    for name in READING_REFS:
        check(name in subjects, "%s not registered: %s" % (name, subjects))
        dep = sr.get_latest_version(name)
        check(dep.schema.schema_type == "PROTOBUF" and dep.version == 1, "%s: %s" % (name, dep.version))
        dep_ids[name] = dep.schema_id
    check(len(set(dep_ids.values()) | {latest.schema_id}) == len(READING_REFS) + 1,
          "ids shared between different files: %s, %d" % (dep_ids, latest.schema_id))
    # As stored (a client without the serializer's cache): .proto text.
    stored = SchemaRegistryClient({"url": b.registry_url})
    ts = stored.get_schema(dep_ids["google/protobuf/timestamp.proto"])
    check("Timestamp" in ts.schema_str and "seconds" in ts.schema_str,
          "timestamp.proto as stored: %s" % ts.schema_str[:200])
    main = stored.get_schema(latest.schema_id)
    check("google.protobuf.Timestamp" in main.schema_str and "spate.common.Money" in main.schema_str,
          "reading.proto as stored: %s" % main.schema_str[:400])

    # The same file, as .proto text with the same references: the same id,
    # and a fresh serializer (no client cache) also answers it.
    text_refs = [SchemaReference(n, n, 1) for n in READING_REFS]
    again = SchemaRegistryClient({"url": b.registry_url}).register_schema(
        topic + "-value", Schema(READING_PROTO, "PROTOBUF", text_refs))
    check(again == latest.schema_id, "the .proto text got id %d, the descriptor %d"
          % (again, latest.schema_id))
    fresh = ProtobufSerializer(pb.Reading, SchemaRegistryClient({"url": b.registry_url}))
    produce(b, "py-pb-again", fresh, values[:1])
    check(framed_id(raw_values(b, "py-pb-again", 1)[0]) == latest.schema_id,
          "another topic's subject got another id for the same file")
    check(sr.get_versions(topic + "-value") == [1], "re-registering added a version")
    state["pb"] = (topic, values, latest.schema_id)
    return "id %d, imports %s" % (latest.schema_id, sorted(dep_ids.values()))


def case_json_round_trip(b):
    topic = "py-json"
    create_topic(b.bootstrap, topic, 1)
    sr = SchemaRegistryClient({"url": b.registry_url})
    values = []
    for i in range(N):
        v = {"sensor": "s%d" % (i % 4), "value": i * 1.5 + 0.25, "tags": ["t%d" % i]}
        if i % 2:
            v["count"] = i
            v["note"] = None
        if i % 3:
            v["kind"] = "TEMP"
            v["where"] = {"lat": 48.1 + i, "lon": -1.5}
        values.append(v)
    produce(b, topic, JSONSerializer(JSON_READING, sr), values)
    got = consume(b, topic, JSONDeserializer(JSON_READING), N)
    check(got == values, "json records differ: first %s vs %s" % (got[:1], values[:1]))
    latest = sr.get_latest_version(topic + "-value")
    check(latest.schema.schema_type == "JSON", "schema type %s" % latest.schema.schema_type)
    ids = {framed_id(v) for v in raw_values(b, topic, N)}
    check(ids == {latest.schema_id}, "records framed with ids %s, the subject's is %d"
          % (ids, latest.schema_id))
    check(json.loads(sr.get_schema(latest.schema_id).schema_str) == json.loads(JSON_READING),
          "the stored schema differs")
    # Reformatted text: the same schema, the same id.
    pretty = json.dumps(json.loads(JSON_READING), indent=3)
    check(SchemaRegistryClient({"url": b.registry_url}).register_schema(
        topic + "-value", Schema(pretty, "JSON")) == latest.schema_id, "reformatted JSON: another id")
    state["json"] = (topic, values, latest.schema_id)
    return "id %d" % latest.schema_id


def json_schema(props):
    return json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "title": "Compat",
                       "type": "object", "properties": props})


def proto_schema(body, extra=""):
    return ('syntax = "proto3";\npackage spate.compat;\n\nmessage Compat {\n%s}\n%s' % (body, extra))


EXTRA = "\nmessage Extra {\n  string x = 1;\n}\n"
OTHER = "\nmessage Other {\n  int32 y = 1;\n}\n"

# (type, level): v1, the incompatible change, the compatible one, and values
# (written by v1, by the compatible version) that the other side reads.
EVOLUTION = {
    # The reader (new) narrows number to integer: refused; widens it to
    # number or null: fine.
    ("JSON", "BACKWARD"): dict(
        v1=json_schema({"a": {"type": "number"}, "s": {"type": "string"}}),
        bad=json_schema({"a": {"type": "integer"}, "s": {"type": "string"}}),
        good=json_schema({"a": {"type": ["number", "null"]}, "s": {"type": "string"}})),
    # The old reader takes integers only: a new writer of numbers is refused;
    # one that writes shorter strings is fine.
    ("JSON", "FORWARD"): dict(
        v1=json_schema({"a": {"type": "integer"}, "s": {"type": "string"}}),
        bad=json_schema({"a": {"type": "number"}, "s": {"type": "string"}}),
        good=json_schema({"a": {"type": "integer"}, "s": {"type": "string", "maxLength": 5}})),
    # A message dropped (MESSAGE_REMOVED) or a field's wire type changed: refused.
    ("PROTOBUF", "BACKWARD"): dict(
        v1=proto_schema("  int32 a = 1;\n  string s = 2;\n", EXTRA),
        bad=proto_schema("  int32 a = 1;\n  string s = 2;\n"),
        bad2=proto_schema("  int32 a = 1;\n  int64 s = 2;\n", EXTRA),
        good=proto_schema("  int32 a = 1;\n  string s = 2;\n  int64 t = 3;\n", EXTRA + OTHER)),
    # A message added is one the old schema lacks: refused for FORWARD.
    ("PROTOBUF", "FORWARD"): dict(
        v1=proto_schema("  int32 a = 1;\n  string s = 2;\n", EXTRA),
        bad=proto_schema("  int32 a = 1;\n  string s = 2;\n", EXTRA + OTHER),
        bad2=proto_schema("  int32 a = 1;\n  int64 s = 2;\n", EXTRA),
        good=proto_schema("  int32 a = 1;\n  string s = 2;\n  int64 t = 3;\n")),
}


def evolve(b, schema_type, level, spec):
    topic = "py-evolve-%s-%s" % (schema_type.lower(), level.lower())
    subject = topic + "-value"
    create_topic(b.bootstrap, topic, 1)
    sr = SchemaRegistryClient({"url": b.registry_url})
    if schema_type == "JSON":
        ser = {k: JSONSerializer(spec[k], sr) for k in ("v1", "bad", "good")}
        de = {k: JSONDeserializer(spec[k]) for k in ("v1", "good")}
        vals = {"v1": {"a": 3, "s": "abc"}, "good": {"a": 4, "s": "xyz"}, "bad": {"a": 5, "s": "q"}}
        if level == "BACKWARD":
            vals["good"]["a"] = None
        schemas = {k: Schema(spec[k], "JSON") for k in spec}
    else:
        cls = {k: message_class(spec[k], "spate.compat.Compat", "%s-%s" % (topic, k))
               for k in ("v1", "bad", "good")}
        ser = {k: ProtobufSerializer(cls[k], sr) for k in cls}
        de = {k: ProtobufDeserializer(cls[k]) for k in ("v1", "good")}
        vals = {k: cls[k](a=i + 3, s="abc") for i, k in enumerate(("v1", "good", "bad"))}
        vals["good"].t = 1 << 40
        # The serializer registers the file as a base64 descriptor; the
        # checks below send the same versions as .proto text.
        schemas = {k: Schema(spec[k], "PROTOBUF") for k in spec}

    produce(b, topic, ser["v1"], [vals["v1"]])
    check(sr.set_compatibility(subject, level) == {"compatibility": level}, "set_compatibility")
    check(sr.get_compatibility(subject) == level, "get_compatibility")
    v1 = sr.get_latest_version(subject)
    # test_compatibility tells them apart.
    bad_keys = [k for k in ("bad", "bad2") if k in spec]
    for k in bad_keys:
        check(sr.test_compatibility(subject, schemas[k]) is False, "%s: %s reported compatible" % (subject, k))
    check(sr.test_compatibility(subject, schemas["good"]) is True, "%s: the compatible change reported incompatible"
          % subject)
    # Registering the incompatible versions: 409, directly and through the serializer.
    messages = [refused_409(lambda k=k: sr.register_schema(subject, schemas[k]), "%s %s" % (subject, k))
                for k in bad_keys]
    messages.append(refused_409(lambda: produce(b, topic, ser["bad"], [vals["bad"]]),
                                "%s serializer" % subject))
    check(sr.get_versions(subject) == [1], "%s: a refused schema added a version" % subject)
    check(sr.get_latest_version(subject).schema_id == v1.schema_id, "%s: latest changed" % subject)

    # The compatible version registers (through its serializer) and the two
    # versions read each other's records as the level promises.
    produce(b, topic, ser["good"], [vals["good"]], first=1)
    good = sr.get_latest_version(subject)
    check(good.version == 2 and good.schema_id != v1.schema_id, "%s: v2 is %s id %d"
          % (subject, good.version, good.schema_id))
    ids = [framed_id(v) for v in raw_values(b, topic, 2)]
    check(ids == [v1.schema_id, good.schema_id], "%s: records framed with %s" % (subject, ids))
    reader = de["good"] if level == "BACKWARD" else de["v1"]
    got = consume(b, topic, reader, 2)
    if schema_type == "JSON":
        check(got == [vals["v1"], vals["good"]], "%s: read %s" % (subject, got))
    else:
        check([(m.a, m.s) for m in got] == [(3, "abc"), (4, "abc")], "%s: read %s" % (subject, got))
    state.setdefault("evolved", []).append((topic, subject, level, [v1.schema_id, good.schema_id]))
    return messages


def case_evolution_409(b):
    out = []
    for (schema_type, level), spec in EVOLUTION.items():
        messages = evolve(b, schema_type, level, spec)
        out.append("%s %s: %d refusals" % (schema_type, level, len(messages)))
    return "; ".join(out)


def registry_snapshot(sr):
    """{(subject, version): (id, schema type)} for every live version."""
    snap = {}
    for subject in sr.get_subjects():
        for v in sr.get_versions(subject):
            rs = sr.get_version(subject, v)
            snap[(subject, v)] = (rs.schema_id, rs.schema.schema_type)
    return snap


def case_restart_keeps_ids(b):
    check("pb" in state and "json" in state, "the round-trip cases did not run")
    before = registry_snapshot(SchemaRegistryClient({"url": b.registry_url}))
    check(len(before) >= 12, "too few versions to compare: %s" % before)
    url = b.registry_url
    b.restart()
    check(b.registry_url == url, "the registry port changed across the restart")
    sr = SchemaRegistryClient({"url": b.registry_url})
    after = registry_snapshot(sr)
    check(after == before, "versions or ids changed across the restart:\n%s\n%s" % (before, after))

    pb = reading_module()
    topic, values, pb_id = state["pb"]
    check(consume(b, topic, ProtobufDeserializer(pb.Reading), N) == values, "protobuf records after restart")
    # A serializer with a fresh client: the same id, no new version.
    produce(b, topic, ProtobufSerializer(pb.Reading, sr), values[:1], first=N)
    check(framed_id(raw_values(b, topic, N + 1)[N]) == pb_id, "protobuf id after restart")
    jtopic, jvalues, json_id = state["json"]
    check(consume(b, jtopic, JSONDeserializer(JSON_READING), N) == jvalues, "json records after restart")
    produce(b, jtopic, JSONSerializer(JSON_READING, sr), jvalues[:1], first=N)
    check(framed_id(raw_values(b, jtopic, N + 1)[N]) == json_id, "json id after restart")
    for etopic, subject, level, ids in state.get("evolved", []):
        check([framed_id(v) for v in raw_values(b, etopic, 2)] == ids, "%s after restart" % etopic)
        check(sr.get_compatibility(subject) == level, "%s lost its level" % subject)
    check(registry_snapshot(sr) == before, "re-registering after the restart added versions")

    new_id = sr.register_schema("py-after-restart", Schema(json_schema({"z": {"type": "string"}}), "JSON"))
    old_ids = {i for i, _ in before.values()}
    check(new_id not in old_ids and new_id > max(old_ids), "new id %d among/below %s" % (new_id, sorted(old_ids)))
    return "%d versions kept their ids; new id %d" % (len(before), new_id)


CASES = [case_protobuf_round_trip, case_json_round_trip, case_evolution_409, case_restart_keeps_ids]

if __name__ == "__main__":
    run_cases(CASES, "case_", extra_args=["--http-listen", "127.0.0.1:0"])
