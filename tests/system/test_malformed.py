"""Malformed input over raw sockets: truncated frames, oversized/negative/zero
length prefixes, unknown API keys and versions, garbage bytes, a bad
client-id length, a Produce with a corrupt batch CRC (error 2
CORRUPT_MESSAGE, nothing appended), a client that stops reading, abrupt
resets. After each case the broker still serves other clients; at the end the
stored records read back identical, also after a restart."""

import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from kafka_wire import (api_versions, closed_by_peer, connect, kstring, parse_produce_v3,
                        produce_v3, read_response, record_batch, request)
from spate_broker import Broker, check
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

TOPIC = "raw"


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def healthy(b, what):
    check(b.alive(), "broker died after: %s" % what)
    s = connect(b.port)
    s.sendall(api_versions(4242))
    payload = read_response(s)
    s.close()
    corr, err, n = struct.unpack_from(">ihi", payload, 0)
    check(corr == 4242 and err == 0, "ApiVersions after %s: corr %d err %d" % (what, corr, err))
    keys = {struct.unpack_from(">h", payload, 10 + 6 * i)[0] for i in range(n)}
    check({0, 1, 2, 3, 18} <= keys, "ApiVersions lacks core APIs after %s: %s" % (what, keys))


def watermarks(b):
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "unused", "enable.auto.commit": False})
    w = c.get_watermark_offsets(TopicPartition(TOPIC, 0), timeout=10)
    c.close()
    return w


def read_all(b):
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "unused", "check.crcs": True,
                  "enable.auto.commit": False})
    lo, hi = c.get_watermark_offsets(TopicPartition(TOPIC, 0), timeout=10)
    c.assign([TopicPartition(TOPIC, 0, lo)])
    out = []
    idle = 0
    while len(out) < hi - lo and idle < 100:
        msgs = c.consume(1000, 0.1)
        idle = 0 if msgs else idle + 1
        for m in msgs:
            check(m.error() is None, "consume error %s" % m.error())
            out.append(m.value())
    c.close()
    return out


def produce_some(b, values):
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all", "linger.ms": 5})
    errs = []
    for v in values:
        p.produce(TOPIC, v, partition=0, on_delivery=lambda e, m: e and errs.append(e))
    check(p.flush(30) == 0 and not errs, "produce failed: %s" % errs[:1])


def expect_close_or_answer(b, data, what, correlation_id=None, half_close=False):
    """Sends `data` (then EOF when `half_close`); the broker must close the
    connection or (when correlation_id is given) answer with that correlation
    id, within 10 s."""
    s = connect(b.port)
    try:
        s.sendall(data)
        if half_close:
            s.shutdown(socket.SHUT_WR)
    except OSError:
        # The broker may close the connection before all of `data` is sent:
        # that is the expected outcome when no answer is required.
        check(correlation_id is None, "%s: connection closed instead of answered" % what)
        s.close()
        healthy(b, what)
        return None
    if correlation_id is not None:
        s.settimeout(10)
        try:
            payload = read_response(s)
            (corr,) = struct.unpack_from(">i", payload, 0)
            check(corr == correlation_id, "%s: answered with correlation id %d" % (what, corr))
            s.close()
            healthy(b, what)
            return payload
        except (EOFError, ConnectionResetError):
            pass
        except socket.timeout:
            raise AssertionError("%s: neither answered nor closed within 10 s" % what)
    else:
        check(closed_by_peer(s), "%s: connection not closed within 10 s" % what)
    s.close()
    healthy(b, what)
    return None


def create_and_fill(b):
    """Creates TOPIC with one partition and 2000 records; returns them."""
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    for f in admin.create_topics([NewTopic(TOPIC, 1, 1)]).values():
        f.result(30)
    stored = [b"rec-%d-" % i + b"y" * (i % 200) for i in range(2000)]
    produce_some(b, stored)
    healthy(b, "setup")
    return stored


def check_truncated_frames(b):
    """A truncated frame is closed at EOF; partial frames and length prefixes
    left open block nobody. Returns those two stalled connections."""
    # Truncated frame: the length promises 100 bytes, 10 arrive, then EOF.
    s = connect(b.port)
    s.sendall(struct.pack(">i", 100) + b"\x00\x12\x00\x00\x00\x00\x00\x01\x00\x00")
    s.shutdown(socket.SHUT_WR)
    check(closed_by_peer(s), "truncated frame + EOF: not closed")
    s.close()
    healthy(b, "truncated frame")
    # A truncated frame left open does not block other connections.
    stalled = connect(b.port)
    stalled.sendall(struct.pack(">i", 50) + b"\x00\x12")
    healthy(b, "a stalled partial frame on another connection")
    # ...nor does a truncated length prefix.
    stalled2 = connect(b.port)
    stalled2.sendall(b"\x00\x00")
    healthy(b, "a stalled partial length prefix")
    return stalled, stalled2


def check_bad_lengths(b):
    """Oversized, negative, zero and short length prefixes and a client id
    overrunning its frame; returns the broker's RSS (MB) before them."""
    rss_before = rss_mb(b.proc.pid)
    expect_close_or_answer(b, struct.pack(">i", 0x7FFFFFF0) + b"\x00" * 64, "oversized length")
    expect_close_or_answer(b, struct.pack(">i", 200 * 1024 * 1024) + b"\x00" * 64, "200 MiB length")
    check(rss_mb(b.proc.pid) < rss_before + 150, "memory grew on oversized length prefixes: %.0f -> %.0f MB"
          % (rss_before, rss_mb(b.proc.pid)))
    expect_close_or_answer(b, struct.pack(">i", -1) + b"\x00" * 16, "length -1")
    expect_close_or_answer(b, struct.pack(">i", -2147483648), "length INT32_MIN")
    expect_close_or_answer(b, struct.pack(">i", 0), "length 0")
    expect_close_or_answer(b, struct.pack(">i", 3) + b"\x00\x12\x00", "frame shorter than a header")
    # Client id longer than the frame.
    expect_close_or_answer(b, struct.pack(">ihhih", 10, 18, 0, 9, 1000), "client id overruns frame")
    return rss_before


def check_unknown_apis(b):
    """Unknown API key and unknown versions."""
    expect_close_or_answer(b, request(32000, 0, 11, b""), "unknown api key 32000", 11)
    expect_close_or_answer(b, request(-5, 0, 12, b""), "negative api key", 12)
    # A future ApiVersions: flexible (v3+) header v2 with empty tagged fields and a v3-shaped
    # body; Kafka answers with a v0 response carrying UNSUPPORTED_VERSION (KIP-511).
    future = struct.pack(">hhi", 18, 99, 13) + kstring("raw-test") + b"\x00"
    future += b"\x05spate\x021\x00"
    payload = expect_close_or_answer(b, struct.pack(">i", len(future)) + future,
                                     "ApiVersions v99", 13)
    check(payload is not None, "ApiVersions v99 closed the connection; Kafka answers it")
    (err,) = struct.unpack_from(">h", payload, 4)
    check(err == 35, "ApiVersions v99: error %d, want 35 UNSUPPORTED_VERSION" % err)
    expect_close_or_answer(b, request(3, 999, 14, b"\x00\x00\x00\x00"), "Metadata v999", 14)
    expect_close_or_answer(b, request(0, 3, 15, b"\xff" * 7), "Produce body truncated", 15)


def check_garbage(b, rng):
    for n in (1, 7, 4096, 65536):
        # EOF after the garbage: a short random length prefix may legitimately wait for more.
        expect_close_or_answer(b, bytes(rng.getrandbits(8) for _ in range(n)),
                               "%d garbage bytes" % n, half_close=True)
    expect_close_or_answer(b, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "an HTTP request")


def check_corrupt_batches(b):
    """Produce with a corrupt CRC: error 2, nothing appended; the same
    connection then stores a valid batch; a batch length overrun is refused.
    Returns the values stored."""
    lo, hi = watermarks(b)
    batch = bytearray(record_batch([b"tampered-a", b"tampered-b"]))
    batch[-5] ^= 0x01  # a byte of the last value; CRC now wrong
    s = connect(b.port)
    s.sendall(produce_v3(21, TOPIC, 0, bytes(batch)))
    topic, part, err, _ = parse_produce_v3(read_response(s))
    check((topic, part, err) == (TOPIC, 0, 2), "corrupt CRC produce: %s" % ((topic, part, err),))
    check(watermarks(b) == (lo, hi), "corrupt batch changed the log: %s -> %s" % ((lo, hi), watermarks(b)))
    # The same connection still works, and the same batch with a valid CRC is stored.
    s.sendall(produce_v3(22, TOPIC, 0, record_batch([b"raw-ok-1", b"raw-ok-2"])))
    topic, part, err, base = parse_produce_v3(read_response(s))
    s.close()
    check(err == 0 and base == hi, "valid raw produce: err %d base %d (want 0, %d)" % (err, base, hi))
    # Batch length field lying about its size.
    bad_len = bytearray(record_batch([b"z"]))
    struct.pack_into(">i", bad_len, 8, 1 << 20)
    expect_close_or_answer(b, produce_v3(23, TOPIC, 0, bytes(bad_len)), "batch length overrun", 23)
    check(watermarks(b)[1] == hi + 2, "bad batch length changed the log")
    return [b"raw-ok-1", b"raw-ok-2"]


def check_non_reading_client(b, stored, rss_before):
    """A client that pipelines fetches and never reads: others keep working.
    Appends what it produces meanwhile to `stored`."""
    fetch = struct.pack(">iiiib", -1, 0, 1, 50 * 1024 * 1024, 0) + struct.pack(">i", 1) + kstring(TOPIC)
    fetch += struct.pack(">i", 1) + struct.pack(">iqi", 0, 0, 1024 * 1024)
    t0 = time.monotonic()
    check(read_all(b) == stored, "records differ before the non-reading client")
    baseline = time.monotonic() - t0
    hog = connect(b.port)
    hog.setblocking(False)
    sent_requests = 0
    for i in range(2000):
        try:
            hog.send(request(1, 4, 1000 + i, fetch))
            sent_requests += 1
        except BlockingIOError:
            break
    t0 = time.monotonic()
    more = [b"after-hog-%d" % i for i in range(500)]
    produce_some(b, more)
    stored.extend(more)
    check(read_all(b) == stored, "records differ while a client stopped reading")
    elapsed = time.monotonic() - t0
    check(elapsed < 20, "other clients were stalled by a non-reading client: produce 500 + read "
          "all took %.1f s (reading all took %.1f s before it)" % (elapsed, baseline))
    check(rss_mb(b.proc.pid) < rss_before + 400, "memory grew to %.0f MB with a non-reading client"
          % rss_mb(b.proc.pid))
    hog.close()
    healthy(b, "a non-reading client (%d fetches pipelined)" % sent_requests)


def check_abrupt_resets(b, rng):
    """Many abrupt resets mid-request."""
    for i in range(200):
        s = connect(b.port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.sendall(api_versions(i)[: rng.randint(1, 12)])
        s.close()
    healthy(b, "200 connection resets")


def main():
    rng = random.Random(7)
    with Broker() as b:
        stored = create_and_fill(b)
        stalled, stalled2 = check_truncated_frames(b)
        rss_before = check_bad_lengths(b)
        check_unknown_apis(b)
        check_garbage(b, rng)
        stored += check_corrupt_batches(b)
        check_non_reading_client(b, stored, rss_before)
        check_abrupt_resets(b, rng)
        stalled.close()
        stalled2.close()

        check(read_all(b) == stored, "stored records differ after the malformed inputs")
        b.restart()
        check(read_all(b) == stored, "stored records differ after restart")
        b.stop()
    print("ok")


if __name__ == "__main__":
    main()
