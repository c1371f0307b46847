"""Kafka requests and responses encoded from the facts of the protocol's
message definitions (kafka_messages.json beside this file), for raw-wire
system tests.

Messages are plain dicts keyed by the JSON field names ("GroupId",
"Protocols", ...); arrays of structs are lists of dicts. Fields missing from
a request take their JSON default. Flexible versions (compact encodings and
tagged fields) follow each message's "flexibleVersions".

    c = SchemaConn(port)
    r = c.call("JoinGroup", 5, {"GroupId": "g", "SessionTimeoutMs": 6000, ...})
    r["ErrorCode"]
"""

import json
import os
import socket
import struct
import uuid as uuidlib

from kafka_wire import connect, read_response, uvarint

# The facts of Kafka's message definitions (no descriptions), written by
# tools/kafka_codegen/facts.py from Apache Kafka's JSON definitions.
_FACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kafka_messages.json")
_cache = {}


def load(name):
    """The definition of message `name` (e.g. "JoinGroupRequest")."""
    if not _cache:
        with open(_FACTS) as f:
            _cache.update(json.load(f))
    return _cache[name]


def in_versions(spec, v):
    """True when version v is in a range spec: "3+", "0-7", "5", "none"."""
    if spec is None or spec == "none":
        return False
    if spec.endswith("+"):
        return v >= int(spec[:-1])
    if "-" in spec:
        lo, hi = spec.split("-")
        return int(lo) <= v <= int(hi)
    return v == int(spec)


# ---- primitive encoders -------------------------------------------------



_FIXED = {"int8": ">b", "int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I",
          "int64": ">q", "float64": ">d"}


class _Reader:
    def __init__(self, buf, pos=0):
        self.buf = buf
        self.pos = pos

    def fixed(self, fmt):
        (v,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return v

    def uvarint(self):
        shift = n = 0
        while True:
            b = self.buf[self.pos]
            self.pos += 1
            n |= (b & 0x7F) << shift
            if not b & 0x80:
                return n
            shift += 7

    def take(self, n):
        v = self.buf[self.pos:self.pos + n]
        if len(v) != n:
            raise ValueError("truncated: wanted %d bytes at %d" % (n, self.pos))
        self.pos += n
        return v


class _Codec:
    def __init__(self, msg):
        self.common = {s["name"]: s for s in msg.get("commonStructs", [])}
        self.flexible_spec = msg.get("flexibleVersions", "none")

    def struct_fields(self, field):
        if "fields" in field:
            return field["fields"]
        name = field["type"].lstrip("[]")
        return self.common[name]["fields"]

    # -- encoding --
    def encode_fields(self, fields, values, v, flexible):
        out = bytearray()
        tagged = []
        for f in fields:
            if not in_versions(f.get("versions"), v):
                continue
            if f.get("tag") is not None and in_versions(f.get("taggedVersions"), v):
                if f["name"] in values:
                    tagged.append((f["tag"], self.encode_value(f, values[f["name"]], v, flexible)))
                continue
            val = values[f["name"]] if f["name"] in values else self.default(f, v)
            out += self.encode_value(f, val, v, flexible)
        if flexible:
            out += uvarint(len(tagged))
            for tag, data in sorted(tagged):
                out += uvarint(tag) + uvarint(len(data)) + data
        return bytes(out)

    def default(self, f, v):
        t = f["type"]
        d = f.get("default")
        if d == "null":
            return None
        if t.startswith("[]"):
            return []
        if t in _FIXED:
            return int(d, 0) if isinstance(d, str) and t != "float64" else (d or 0)
        if t == "bool":
            return d == "true" or d is True
        if t == "string":
            return d or ""
        if t in ("bytes", "records"):
            return b""
        if t == "uuid":
            return b"\0" * 16
        return {}  # struct

    def encode_value(self, f, val, v, flexible):
        t = f["type"]
        nullable = in_versions(f.get("nullableVersions"), v)
        compact = flexible and f.get("flexibleVersions") != "none"
        if t.startswith("[]"):
            inner = t[2:]
            if val is None:
                assert nullable, "%s is not nullable in v%d" % (f["name"], v)
                return uvarint(0) if compact else struct.pack(">i", -1)
            head = uvarint(len(val) + 1) if compact else struct.pack(">i", len(val))
            body = bytearray()
            for item in val:
                if inner in _FIXED or inner in ("bool", "string", "bytes", "uuid", "records"):
                    body += self.encode_value({"type": inner, "name": f["name"]}, item, v, compact)
                else:
                    body += self.encode_fields(self.struct_fields(f), item, v, flexible)
            return head + bytes(body)
        if t in _FIXED:
            return struct.pack(_FIXED[t], val)
        if t == "bool":
            return b"\1" if val else b"\0"
        if t == "uuid":
            return val if isinstance(val, bytes) else uuidlib.UUID(val).bytes
        if t in ("string", "bytes", "records"):
            if val is None:
                assert nullable or t == "records", "%s is not nullable in v%d" % (f["name"], v)
                return uvarint(0) if compact else struct.pack(">h" if t == "string" else ">i", -1)
            data = val.encode() if isinstance(val, str) else bytes(val)
            if compact:
                return uvarint(len(data) + 1) + data
            return struct.pack(">h" if t == "string" else ">i", len(data)) + data
        if nullable:  # a nullable struct: an int8 marker, -1 = null
            if val is None:
                return struct.pack(">b", -1)
            return struct.pack(">b", 1) + self.encode_fields(self.struct_fields(f), val, v, flexible)
        return self.encode_fields(self.struct_fields(f), val, v, flexible)

    # -- decoding --
    def decode_fields(self, fields, r, v, flexible):
        out = {}
        by_tag = {}
        for f in fields:
            if not in_versions(f.get("versions"), v):
                continue
            if f.get("tag") is not None and in_versions(f.get("taggedVersions"), v):
                by_tag[f["tag"]] = f
                continue
            out[f["name"]] = self.decode_value(f, r, v, flexible)
        if flexible:
            for _ in range(r.uvarint()):
                tag = r.uvarint()
                size = r.uvarint()
                data = r.take(size)
                if tag in by_tag:
                    out[by_tag[tag]["name"]] = self.decode_value(by_tag[tag], _Reader(data), v, flexible)
        return out

    def decode_value(self, f, r, v, flexible):
        t = f["type"]
        compact = flexible and f.get("flexibleVersions") != "none"
        if t.startswith("[]"):
            inner = t[2:]
            n = r.uvarint() - 1 if compact else r.fixed(">i")
            if n < 0:
                return None
            items = []
            for _ in range(n):
                if inner in _FIXED or inner in ("bool", "string", "bytes", "uuid", "records"):
                    items.append(self.decode_value({"type": inner, "name": f["name"]}, r, v, compact))
                else:
                    items.append(self.decode_fields(self.struct_fields(f), r, v, flexible))
            return items
        if t in _FIXED:
            return r.fixed(_FIXED[t])
        if t == "bool":
            return r.take(1) != b"\0"
        if t == "uuid":
            return str(uuidlib.UUID(bytes=bytes(r.take(16))))
        if t in ("string", "bytes", "records"):
            if compact:
                n = r.uvarint() - 1
            else:
                n = r.fixed(">h" if t == "string" else ">i")
            if n < 0:
                return None
            data = bytes(r.take(n))
            return data.decode() if t == "string" else data
        if in_versions(f.get("nullableVersions"), v) and r.fixed(">b") < 0:
            return None  # a null nullable struct (int8 marker -1)
        return self.decode_fields(self.struct_fields(f), r, v, flexible)


def api_key(api):
    return load(api + "Request")["apiKey"]


def is_flexible(api, version):
    return in_versions(load(api + "Request").get("flexibleVersions"), version)


def encode_request(api, version, correlation_id, values, client_id="raw-test"):
    """The framed request `api` (e.g. "JoinGroup") at `version`."""
    msg = load(api + "Request")
    assert in_versions(msg["validVersions"], version), "%s v%d is not a valid version" % (api, version)
    flexible = in_versions(msg.get("flexibleVersions"), version)
    header = struct.pack(">hhi", msg["apiKey"], version, correlation_id)
    cid = client_id.encode()
    header += struct.pack(">h", len(cid)) + cid
    if flexible:
        header += b"\0"  # no tagged fields
    body = _Codec(msg).encode_fields(msg["fields"], values, version, flexible)
    data = header + body
    return struct.pack(">i", len(data)) + data


def decode_response(api, version, payload):
    """(correlation id, dict) of a response payload (the frame's contents)."""
    msg = load(api + "Response")
    flexible = in_versions(load(api + "Request").get("flexibleVersions"), version)
    r = _Reader(payload)
    corr = r.fixed(">i")
    if flexible and api != "ApiVersions":  # ApiVersions responses keep header v0
        for _ in range(r.uvarint()):
            r.uvarint()
            r.take(r.uvarint())
    out = _Codec(msg).decode_fields(msg["fields"], r, version, flexible)
    if r.pos != len(payload):
        raise ValueError("%s v%d response: %d trailing bytes" % (api, version, len(payload) - r.pos))
    return corr, out


class SchemaConn:
    """One TCP connection to the broker; requests encoded from the schemas.
    Requests may be pipelined: send() returns the correlation id, recv()
    returns the next response (responses arrive in request order)."""

    def __init__(self, port, client_id="raw-test", timeout=30.0):
        self.sock = connect(port, timeout)
        self.client_id = client_id
        self.next_corr = 1
        self.pending = []  # (correlation id, api, version) in send order

    def send(self, api, version, values):
        corr = self.next_corr
        self.next_corr += 1
        self.sock.sendall(encode_request(api, version, corr, values, self.client_id))
        self.pending.append((corr, api, version))
        return corr

    def recv(self, timeout=None):
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            payload = read_response(self.sock)
        finally:
            if timeout is not None:
                self.sock.settimeout(30.0)
        corr, api, version = self.pending.pop(0)
        got, out = decode_response(api, version, payload)
        assert got == corr, "%s: correlation id %d, expected %d" % (api, got, corr)
        return out

    def call(self, api, version, values=None, timeout=None):
        self.send(api, version, values or {})
        return self.recv(timeout)

    def ready(self, timeout=0.0):
        """True when a response is waiting to be read (without reading it)."""
        self.sock.settimeout(timeout if timeout > 0 else 0.0001)
        try:
            return len(self.sock.recv(1, socket.MSG_PEEK)) > 0
        except (socket.timeout, BlockingIOError):
            return False
        finally:
            self.sock.settimeout(30.0)

    def close(self):
        self.sock.close()


# ---- consumer protocol (the "consumer" protocol type's metadata) --------

def consumer_subscription(topics, user_data=b"", version=0):
    """ConsumerProtocolSubscription v0: the JoinGroup metadata of a consumer."""
    out = struct.pack(">hi", version, len(topics))
    for t in topics:
        out += struct.pack(">h", len(t)) + t.encode()
    return out + struct.pack(">i", len(user_data)) + user_data


def consumer_assignment(partitions, user_data=b""):
    """ConsumerProtocolAssignment v0 from {topic: [partition, ...]}."""
    out = struct.pack(">hi", 0, len(partitions))
    for t, ps in sorted(partitions.items()):
        out += struct.pack(">h", len(t)) + t.encode() + struct.pack(">i", len(ps))
        out += b"".join(struct.pack(">i", p) for p in ps)
    return out + struct.pack(">i", len(user_data)) + user_data


def parse_consumer_assignment(data):
    """{topic: [partitions]} from ConsumerProtocolAssignment bytes."""
    if not data:
        return {}
    r = _Reader(data)
    r.fixed(">h")
    out = {}
    for _ in range(r.fixed(">i")):
        t = r.take(r.fixed(">h")).decode()
        out[t] = [r.fixed(">i") for _ in range(r.fixed(">i"))]
    return out


def describe_group(port, group):
    """(state, [member ids]) of a group, from DescribeGroups v4."""
    conn = SchemaConn(port, client_id="describe")
    try:
        r = conn.call("DescribeGroups", 4, {"Groups": [group], "IncludeAuthorizedOperations": False})
    finally:
        conn.close()
    g = r["Groups"][0]
    return g["GroupState"], [m["MemberId"] for m in g["Members"]]
