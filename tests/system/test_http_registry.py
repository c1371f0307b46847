"""The Confluent Schema Registry REST API of `spate serve --http-listen`, as
third-party clients call it: `requests` for every endpoint's JSON shape and
error code, confluent-kafka-python's SchemaRegistryClient for what it parses.
Bad input (malformed JSON, wrong field types, huge bodies, unknown paths and
methods, garbage on the socket) gets Confluent's codes and the server keeps
serving. A second, registry-only server over `--bootstrap` shares the
registry. Last, the registry survives a restart with the same ids.

Every case runs even when an earlier one fails; the file fails if any did."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import requests
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import check, run_cases

CT = "application/vnd.schemaregistry.v1+json"
HEADERS = {"Content-Type": CT}


def avro_record(name, *fields):
    """An Avro record schema text; fields are (name, type[, default])."""
    fs = []
    for f in fields:
        d = {"name": f[0], "type": f[1]}
        if len(f) > 2:
            d["default"] = f[2]
        fs.append(d)
    return json.dumps({"type": "record", "name": name, "fields": fs})


class Api:
    """requests against one registry URL; each call returns (status, json)."""

    def __init__(self, url):
        self.url = url
        self.s = requests.Session()

    def call(self, method, path, body=None, raw=None, headers=None, params=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        h = dict(HEADERS if data is not None else {})
        h.update(headers or {})
        r = self.s.request(method, self.url + path, data=data, headers=h, params=params,
                           timeout=60)
        try:
            payload = r.json()
        except ValueError:
            payload = r.text
        return r.status_code, payload, r

    def ok(self, method, path, body=None, params=None):
        status, payload, r = self.call(method, path, body, params=params)
        check(status == 200, "%s %s: %d %s" % (method, path, status, payload))
        check(r.headers.get("Content-Type") == CT,
              "%s %s: content type %s" % (method, path, r.headers.get("Content-Type")))
        return payload

    def fails(self, method, path, body=None, want=None, raw=None, headers=None, params=None):
        """Asserts an error answer with `want` = (http status, error_code)."""
        status, payload, _ = self.call(method, path, body, raw=raw, headers=headers,
                                       params=params)
        check(isinstance(payload, dict) and isinstance(payload.get("message"), str),
              "%s %s: error body %r" % (method, path, payload))
        got = (status, payload.get("error_code"))
        check(got == want, "%s %s: got %s (%s), want %s"
              % (method, path, got, payload.get("message"), want))
        return payload["message"]


def register(api, subject, schema, schema_type=None, refs=None, params=None):
    body = {"schema": schema}
    if schema_type:
        body["schemaType"] = schema_type
    if refs:
        body["references"] = refs
    return api.ok("POST", "/subjects/%s/versions" % subject, body, params=params)["id"]


def case_root_and_types(b):
    api = Api(b.registry_url)
    check(api.ok("GET", "/") == {}, "GET / is not {}")
    types = api.ok("GET", "/schemas/types")
    check(sorted(types) == ["AVRO", "JSON", "PROTOBUF"], "types: %s" % types)
    return "GET / and /schemas/types"


def case_client_register_and_read(b):
    sr = SchemaRegistryClient({"url": b.registry_url})
    s1 = Schema(avro_record("Order", ("id", "long")), "AVRO")
    sid = sr.register_schema("orders-value", s1)
    check(sr.register_schema("orders-value", Schema(s1.schema_str, "AVRO")) == sid,
          "client cache answered another id")
    fresh = SchemaRegistryClient({"url": b.registry_url})  # no cache
    check(fresh.register_schema("orders-value", Schema(s1.schema_str, "AVRO")) == sid,
          "registering the same schema twice gave two ids")
    check(fresh.register_schema("orders-copy", Schema(s1.schema_str, "AVRO")) == sid,
          "the same schema under another subject got another id")
    got = fresh.get_schema(sid)
    check(got.schema_type == "AVRO" and json.loads(got.schema_str)["name"] == "Order",
          "get_schema: %s %s" % (got.schema_type, got.schema_str))
    latest = fresh.get_latest_version("orders-value")
    check((latest.schema_id, latest.subject, latest.version) == (sid, "orders-value", 1),
          "latest: %s %s %s" % (latest.schema_id, latest.subject, latest.version))
    v1 = fresh.get_version("orders-value", 1)
    check(v1.schema_id == sid, "get_version")
    check(fresh.get_versions("orders-value") == [1], "get_versions")
    check({"orders-value", "orders-copy"} <= set(fresh.get_subjects()), "get_subjects")
    found = fresh.lookup_schema("orders-value", Schema(s1.schema_str, "AVRO"))
    check((found.schema_id, found.version) == (sid, 1), "lookup_schema")
    s2 = Schema(avro_record("Order", ("id", "long"), ("note", "string", "")), "AVRO")
    check(fresh.test_compatibility("orders-value", s2), "compatible change reported incompatible")
    sid2 = fresh.register_schema("orders-value", s2)
    check(sid2 != sid and fresh.get_versions("orders-value") == [1, 2], "second version")
    return "ids %d, %d" % (sid, sid2)


def case_json_serializer_round_trip(b):
    """JSONSerializer registers its schema under TOPIC-value and frames records
    with the magic byte and that id; JSONDeserializer reads them back."""
    schema = json.dumps({"type": "object", "title": "Reading",
                         "properties": {"sensor": {"type": "string"}, "v": {"type": "number"}},
                         "required": ["sensor"]})
    sr = SchemaRegistryClient({"url": b.registry_url})
    ctx = SerializationContext("readings", MessageField.VALUE)
    data = JSONSerializer(schema, sr)({"sensor": "s1", "v": 2.5}, ctx)
    check(data[0] == 0, "no magic byte: %r" % data[:5])
    sid = int.from_bytes(data[1:5], "big")
    latest = sr.get_latest_version("readings-value")
    check(latest.schema_id == sid and latest.schema.schema_type == "JSON",
          "serializer's id %d, registry's %d %s" % (sid, latest.schema_id,
                                                     latest.schema.schema_type))
    back = JSONDeserializer(schema)(data, ctx)
    check(back == {"sensor": "s1", "v": 2.5}, "deserialized %r" % back)
    return "id %d" % sid


def case_incompatible_is_409(b):
    sr = SchemaRegistryClient({"url": b.registry_url})
    api = Api(b.registry_url)
    sr.register_schema("compat-value", Schema(avro_record("C", ("a", "int")), "AVRO"))
    check(sr.set_compatibility("compat-value", "BACKWARD") == {"compatibility": "BACKWARD"},
          "set_compatibility")
    check(sr.get_compatibility("compat-value") == "BACKWARD", "get_compatibility")
    bad = Schema(avro_record("C", ("b", "int")), "AVRO")
    check(not sr.test_compatibility("compat-value", bad), "incompatible reported compatible")
    try:
        sr.register_schema("compat-value", bad)
        check(False, "an incompatible schema was registered")
    except SchemaRegistryError as e:
        check((e.http_status_code, e.error_code) == (409, 409),
              "incompatible: %s %s" % (e.http_status_code, e.error_code))
    verbose = api.ok("POST", "/compatibility/subjects/compat-value/versions/latest",
                     {"schema": bad.schema_str}, params={"verbose": "true"})
    check(verbose["is_compatible"] is False and verbose["messages"], "verbose: %s" % verbose)
    plain = api.ok("POST", "/compatibility/subjects/compat-value/versions",
                   {"schema": bad.schema_str})
    check(plain == {"is_compatible": False}, "non-verbose: %s" % plain)
    return "409 with messages"


def case_json_and_protobuf_with_references(b):
    api = Api(b.registry_url)
    js = json.dumps({"type": "object", "properties": {"n": {"type": "integer"}}})
    jid = register(api, "js-value", js, "JSON")
    got = api.ok("GET", "/subjects/js-value/versions/1")
    check(got["schemaType"] == "JSON" and got["id"] == jid and got["subject"] == "js-value",
          "JSON version: %s" % got)
    check("references" not in got, "empty references listed: %s" % got)
    dep = 'syntax = "proto3";\npackage t;\nmessage Dep { int32 x = 1; }\n'
    main = ('syntax = "proto3";\npackage t;\nimport "dep.proto";\n'
            'message Main { Dep d = 1; }\n')
    sr = SchemaRegistryClient({"url": b.registry_url})
    dep_id = sr.register_schema("dep-value", Schema(dep, "PROTOBUF"))
    ref = SchemaReference("dep.proto", "dep-value", 1)
    main_id = sr.register_schema("main-value", Schema(main, "PROTOBUF", [ref]))
    by_id = api.ok("GET", "/schemas/ids/%d" % main_id)
    check(by_id["schemaType"] == "PROTOBUF", "by id: %s" % by_id)
    check(by_id["references"] == [{"name": "dep.proto", "subject": "dep-value", "version": 1}],
          "references: %s" % by_id)
    fetched = SchemaRegistryClient({"url": b.registry_url}).get_schema(main_id)
    check(fetched.schema_type == "PROTOBUF" and len(fetched.references) == 1,
          "client get_schema of a referencing schema")
    check(api.ok("GET", "/subjects/dep-value/versions/1/referencedby") == [main_id],
          "referencedby")
    api.fails("DELETE", "/subjects/dep-value/versions/1", want=(422, 42206))
    return "JSON id %d, PROTOBUF ids %d <- %d" % (jid, dep_id, main_id)


def case_versions_and_raw_schema(b):
    api = Api(b.registry_url)
    api.ok("PUT", "/config/raw-value", {"compatibility": "NONE"})
    s1, s2 = avro_record("R", ("a", "int")), avro_record("R", ("b", "string"))
    id1, id2 = register(api, "raw-value", s1), register(api, "raw-value", s2)
    latest = api.ok("GET", "/subjects/raw-value/versions/latest")
    check(latest == {"subject": "raw-value", "version": 2, "id": id2, "schema": latest["schema"]},
          "latest shape: %s" % latest)
    check(api.ok("GET", "/subjects/raw-value/versions/-1") == latest, "-1 is latest")
    status, text, r = api.call("GET", "/subjects/raw-value/versions/1/schema")
    check(status == 200 and json.loads(r.text) == json.loads(s1), "raw schema: %s" % r.text)
    status, _, r = api.call("GET", "/schemas/ids/%d/schema" % id2)
    check(status == 200 and json.loads(r.text) == json.loads(s2), "raw by id: %s" % r.text)
    check(api.ok("GET", "/schemas/ids/%d/subjects" % id1) == ["raw-value"], "subjects of id")
    check(api.ok("GET", "/schemas/ids/%d/versions" % id1) ==
          [{"subject": "raw-value", "version": 1}], "versions of id")
    everything = api.ok("GET", "/schemas", params={"subjectPrefix": "raw-"})
    check([(s["subject"], s["version"]) for s in everything] == [("raw-value", 1), ("raw-value", 2)],
          "schemas: %s" % everything)
    latest_only = api.ok("GET", "/schemas", params={"subjectPrefix": "raw-", "latestOnly": "true"})
    check([s["version"] for s in latest_only] == [2], "latestOnly: %s" % latest_only)
    looked = api.ok("POST", "/subjects/raw-value", {"schema": s1})
    check((looked["id"], looked["version"]) == (id1, 1), "lookup: %s" % looked)
    return "ids %d, %d" % (id1, id2)


def case_deletes(b):
    api = Api(b.registry_url)
    api.ok("PUT", "/config/del-value", {"compatibility": "NONE"})
    register(api, "del-value", avro_record("D", ("a", "int")))
    register(api, "del-value", avro_record("D", ("b", "int")))
    api.fails("DELETE", "/subjects/del-value/versions/1", params={"permanent": "true"},
              want=(404, 40407))
    check(api.ok("DELETE", "/subjects/del-value/versions/1") == 1, "soft delete answers 1")
    check(api.ok("GET", "/subjects/del-value/versions") == [2], "live versions")
    check(api.ok("GET", "/subjects/del-value/versions", params={"deleted": "true"}) == [1, 2],
          "deleted=true versions")
    api.fails("DELETE", "/subjects/del-value/versions/1", want=(404, 40406))
    check(api.ok("DELETE", "/subjects/del-value/versions/1", params={"permanent": "true"}) == 1,
          "permanent delete")
    api.fails("DELETE", "/subjects/del-value", params={"permanent": "true"}, want=(404, 40405))
    check(api.ok("DELETE", "/subjects/del-value") == [2], "soft subject delete")
    check("del-value" not in api.ok("GET", "/subjects"), "soft-deleted subject listed")
    check("del-value" in api.ok("GET", "/subjects", params={"deleted": "true"}),
          "deleted=true misses it")
    api.fails("GET", "/subjects/del-value/versions", want=(404, 40401))
    check(api.ok("DELETE", "/subjects/del-value", params={"permanent": "true"}) == [2],
          "permanent subject delete")
    check("del-value" not in api.ok("GET", "/subjects", params={"deleted": "true"}),
          "permanently deleted subject still listed")
    return "soft, permanent, 40405/40406/40407"


def case_config(b):
    api = Api(b.registry_url)
    check(api.ok("GET", "/config") == {"compatibilityLevel": "BACKWARD"}, "global default")
    api.fails("GET", "/config/cfg-value", want=(404, 40408))
    check(api.ok("GET", "/config/cfg-value", params={"defaultToGlobal": "true"}) ==
          {"compatibilityLevel": "BACKWARD"}, "defaultToGlobal")
    check(api.ok("PUT", "/config/cfg-value", {"compatibility": "FULL_TRANSITIVE"}) ==
          {"compatibility": "FULL_TRANSITIVE"}, "PUT answer")
    check(api.ok("GET", "/config/cfg-value") == {"compatibilityLevel": "FULL_TRANSITIVE"},
          "subject level")
    check(api.ok("DELETE", "/config/cfg-value") == {"compatibilityLevel": "FULL_TRANSITIVE"},
          "DELETE answers the old level")
    check(api.ok("PUT", "/config", {"compatibility": "forward"}) == {"compatibility": "FORWARD"},
          "global PUT (any case)")
    check(api.ok("DELETE", "/config") == {"compatibilityLevel": "FORWARD"}, "global DELETE")
    check(api.ok("GET", "/config") == {"compatibilityLevel": "BACKWARD"}, "global back to default")
    api.fails("PUT", "/config", {"compatibility": "SIDEWAYS"}, want=(422, 42203))
    return "levels"


def case_modes_and_import(b):
    api = Api(b.registry_url)
    check(api.ok("GET", "/mode") == {"mode": "READWRITE"}, "global mode")
    check(api.ok("PUT", "/mode/ro-value", {"mode": "READONLY"}) == {"mode": "READONLY"},
          "PUT mode")
    api.fails("POST", "/subjects/ro-value/versions", {"schema": avro_record("X", ("a", "int"))},
              want=(422, 42205))
    check(api.ok("DELETE", "/mode/ro-value") == {"mode": "READONLY"}, "DELETE mode")
    api.fails("GET", "/mode/ro-value", want=(404, 40409))
    check(api.ok("GET", "/mode/ro-value", params={"defaultToGlobal": "true"}) ==
          {"mode": "READWRITE"}, "mode defaultToGlobal")
    api.ok("PUT", "/mode/imp-value", {"mode": "IMPORT"})
    body = {"schema": avro_record("I", ("a", "int")), "id": 1000, "version": 7}
    check(api.ok("POST", "/subjects/imp-value/versions", body) == {"id": 1000}, "IMPORT id")
    got = api.ok("GET", "/subjects/imp-value/versions/latest")
    check((got["id"], got["version"]) == (1000, 7), "imported version: %s" % got)
    api.fails("POST", "/subjects/imp-value/versions",
              {"schema": avro_record("I", ("b", "int")), "id": 1000, "version": 8},
              want=(422, 42207))
    api.ok("PUT", "/mode/imp-value", {"mode": "READWRITE"})
    api.fails("PUT", "/mode", {"mode": "SOMETIMES"}, want=(422, 42204))
    return "READONLY refused, IMPORT kept id 1000 version 7"


def case_contexts_and_escaped_subjects(b):
    api = Api(b.registry_url)
    sr = SchemaRegistryClient({"url": b.registry_url})
    cid = sr.register_schema(":.team:events", Schema(avro_record("E", ("a", "int")), "AVRO"))
    check(":.team:events" in api.ok("GET", "/subjects"), "context subject not listed")
    check(api.ok("GET", "/subjects", params={"subjectPrefix": ":.team:"}) == [":.team:events"],
          "context prefix")
    check(api.ok("GET", "/schemas/ids/%d" % cid, params={"subject": ":.team:events"})["schema"],
          "by id in the context")
    sid = sr.register_schema("a/b value", Schema(avro_record("S", ("x", "long")), "AVRO"))
    check(api.ok("GET", "/subjects/a%2Fb%20value/versions/1")["subject"] == "a/b value",
          "escaped subject")
    return "context id %d, escaped subject id %d" % (cid, sid)


def case_registry_errors(b):
    api = Api(b.registry_url)
    register(api, "err-value", avro_record("E", ("a", "int")))
    api.fails("GET", "/subjects/none/versions/1", want=(404, 40401))
    api.fails("GET", "/subjects/err-value/versions/9", want=(404, 40402))
    api.fails("GET", "/schemas/ids/987654", want=(404, 40403))
    api.fails("POST", "/subjects/err-value", {"schema": avro_record("E", ("z", "int"))},
              want=(404, 40403))
    for v in ["0", "-2", "abc", "1.5"]:
        api.fails("GET", "/subjects/err-value/versions/" + v, want=(422, 42202))
    api.fails("POST", "/subjects/err-value/versions", {"schema": "{not avro"}, want=(422, 42201))
    api.fails("POST", "/subjects/err-value/versions", {"schema": "\"int\"", "schemaType": "XML"},
              want=(422, 42201))
    api.fails("POST", "/subjects/err-value/versions", {}, want=(422, 42201))
    try:
        SchemaRegistryClient({"url": b.registry_url}).get_schema(987654)
        check(False, "client found a missing id")
    except SchemaRegistryError as e:
        check((e.http_status_code, e.error_code) == (404, 40403), "client error %s" % e)
    return "40401 40402 40403 42201 42202"


def case_bad_input(b):
    api = Api(b.registry_url)
    path = "/subjects/bad-value/versions"
    for raw in ["{", "not json", "[1]", '"s"', '{"schema": 5}', '{"schema": {"type": "int"}}',
                '{"schema": "\\"int\\"", "references": 3}',
                '{"schema": "\\"int\\"", "references": [{"name": "n"}]}',
                '{"schema": "\\"int\\"", "id": "x"}', '{"schema": "\\"int\\"", "schemaType": []}',
                "\xff\xfe"]:
        api.fails("POST", path, raw=raw.encode("latin-1"), want=(422, 422))
    api.fails("POST", path, raw=b'{"schema": "\\"int\\""}', headers={"Content-Type": "text/xml"},
              want=(415, 415))
    huge = b'{"schema": "' + b"x" * (17 << 20) + b'"}'
    api.fails("POST", path, raw=huge, want=(413, 413))
    api.fails("GET", "/no/such/path", want=(404, 404))
    api.fails("GET", "/subjects/a/versions/1/nothing", want=(404, 404))
    api.fails("PATCH", "/subjects", want=(405, 405))
    api.fails("PUT", "/subjects/bad-value/versions", {"schema": "\"int\""}, want=(405, 405))
    # Garbage on the socket: a 400 and the connection closes.
    with socket.create_connection(("127.0.0.1", b.http_port), timeout=10) as s:
        s.sendall(b"\x00\x01 definitely not http\r\n\r\n")
        answer = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
    check(answer.startswith(b"HTTP/1.1 400"), "garbage answered %r" % answer[:80])
    check(api.ok("GET", "/") == {}, "server stopped answering after bad input")
    return "422 415 413 404 405 400"


def case_second_server_over_bootstrap(b):
    """A registry-only `spate serve --bootstrap` on the same cluster: both
    servers see each other's writes, ids are never handed out twice, and it
    stops cleanly on SIGTERM."""
    proc = subprocess.Popen([b.bin, "serve", "--bootstrap", b.bootstrap, "--pg-listen", "off",
                             "--http-listen", "127.0.0.1:0", "--node-id", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, found = [], {}
    ready = threading.Event()

    def pump():
        for line in proc.stdout:
            lines.append(line)
            m = re.search(r"http listener on (\S+)", line)
            if m:
                found["url"] = "http://" + m.group(1)
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        ready.wait(60)
        check("url" in found, "second server did not start:\n" + "".join(lines[-20:]))
        one, two = Api(b.registry_url), Api(found["url"])
        for api in (one, two):
            api.ok("PUT", "/config/both-value", {"compatibility": "NONE"})
        ids = []
        for i in range(6):
            api = (one, two)[i % 2]
            ids.append(register(api, "both-value", avro_record("B%d" % i, ("f", "int"))))
        check(len(set(ids)) == len(ids), "an id handed out twice: %s" % ids)
        deadline = time.monotonic() + 10
        while one.ok("GET", "/subjects/both-value/versions") != list(range(1, 7)):
            check(time.monotonic() < deadline, "first server misses the second's writes")
            time.sleep(0.05)
        check(two.ok("GET", "/subjects/both-value/versions") == list(range(1, 7)),
              "second server misses the first's writes")
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(30)
    check(rc == 0, "the --bootstrap server exited %s on SIGTERM:\n%s" % (rc, "".join(lines[-20:])))
    return "ids %s" % ids


def case_restart_keeps_ids(b):
    api = Api(b.registry_url)
    before = {}
    for s in api.ok("GET", "/schemas"):
        before[(s["subject"], s["version"])] = s["id"]
    check(len(before) >= 5, "too few schemas to compare: %s" % before)
    url = b.registry_url
    b.restart()
    check(b.registry_url == url, "registry port changed across the restart")
    api = Api(b.registry_url)
    after = {(s["subject"], s["version"]): s["id"] for s in api.ok("GET", "/schemas")}
    check(after == before, "ids changed across the restart:\n%s\n%s" % (before, after))
    sr = SchemaRegistryClient({"url": b.registry_url})
    old = api.ok("GET", "/subjects/orders-value/versions/1")
    again = sr.register_schema("orders-value", Schema(old["schema"], "AVRO"))
    check(again == old["id"], "re-registering after restart: %d != %d" % (again, old["id"]))
    new_id = sr.register_schema("after-restart", Schema(avro_record("New", ("q", "int")), "AVRO"))
    check(new_id not in set(before.values()), "an id was reused after the restart: %d" % new_id)
    return "%d versions kept their ids; new id %d" % (len(before), new_id)


CASES = [case_root_and_types, case_client_register_and_read, case_json_serializer_round_trip,
         case_incompatible_is_409,
         case_json_and_protobuf_with_references, case_versions_and_raw_schema, case_deletes,
         case_config, case_modes_and_import, case_contexts_and_escaped_subjects,
         case_registry_errors, case_bad_input, case_second_server_over_bootstrap,
         case_restart_keeps_ids]

if __name__ == "__main__":
    run_cases(CASES, "case_", extra_args=["--http-listen", "127.0.0.1:0"])
