"""Minimal hand-built Kafka requests for the raw-socket tests (no client library)."""

import socket
import struct
import time

_CRC32C_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C_TABLE.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def varint(n):
    return uvarint((n << 1) ^ (n >> 63))  # zigzag


def kstring(s):
    if s is None:
        return struct.pack(">h", -1)
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def record_batch(values, ts=1_700_000_000_000):
    """An uncompressed v2 record batch of `values` (bytes), base offset 0."""
    recs = b""
    for i, v in enumerate(values):
        body = b"\x00" + varint(0) + varint(i) + varint(-1) + varint(len(v)) + v + varint(0)
        recs += varint(len(body)) + body
    after_crc = struct.pack(">hiqqqhii", 0, len(values) - 1, ts, ts, -1, -1, -1, len(values)) + recs
    crc = crc32c(after_crc)
    rest = struct.pack(">ib", 0, 2) + struct.pack(">I", crc) + after_crc
    return struct.pack(">qi", 0, len(rest)) + rest


def request(api_key, api_version, correlation_id, body, client_id="raw-test"):
    """A framed request with a v1 header (non-flexible APIs)."""
    msg = struct.pack(">hhi", api_key, api_version, correlation_id) + kstring(client_id) + body
    return struct.pack(">i", len(msg)) + msg


def api_versions(correlation_id, version=0):
    return request(18, version, correlation_id, b"")


def produce_v3(correlation_id, topic, partition, batch, acks=-1):
    body = kstring(None) + struct.pack(">hi", acks, 10000)
    body += struct.pack(">i", 1) + kstring(topic) + struct.pack(">i", 1)
    body += struct.pack(">i", partition) + struct.pack(">i", len(batch)) + batch
    return request(0, 3, correlation_id, body)


def parse_produce_v3(payload):
    """(topic, partition, error_code, base_offset) of a one-partition Produce v3 response."""
    pos = 4  # correlation id
    (ntopics,) = struct.unpack_from(">i", payload, pos)
    pos += 4
    assert ntopics == 1, ntopics
    (tlen,) = struct.unpack_from(">h", payload, pos)
    topic = payload[pos + 2:pos + 2 + tlen].decode()
    pos += 2 + tlen
    (nparts,) = struct.unpack_from(">i", payload, pos)
    assert nparts == 1, nparts
    partition, err, base = struct.unpack_from(">ihq", payload, pos + 4)
    return topic, partition, err, base


def connect(port, timeout=10.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def read_response(s):
    """One response payload (correlation id first), or raises EOFError."""
    (size,) = struct.unpack(">i", recv_exact(s, 4))
    return recv_exact(s, size)


def closed_by_peer(s, timeout=10.0):
    """True when the broker closes `s` (EOF or reset) within `timeout`,
    discarding anything it sends first."""
    s.settimeout(0.5)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if not s.recv(65536):
                return True
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False
