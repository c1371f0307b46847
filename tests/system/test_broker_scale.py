"""Memory budget of idle connections and partitions (issue 15, point 4).

Starts `spate serve` under a low open-file limit, creates partitions with
CreateTopics, then opens raw client connections that each complete an
ApiVersions round trip and stay idle. The broker's resident memory
(/proc/<pid>/status VmRSS) is read before and after each step; the growth per
partition and per connection must stay within twice the figures in
docs/performance.md ("Broker fast path: latency and scale"). More partitions
than the file limit allows open descriptors prove that partitions do not pin
file descriptors. Metadata for every topic must list every partition (its time
is printed, not checked: this test guards a budget, not a timing).

Environment (the defaults keep the test at a few seconds):
  SPATE_SCALE_PARTITIONS   partitions to create (default 3000)
  SPATE_SCALE_CONNECTIONS  idle connections to open (default 1500)
  SPATE_SCALE_FD_LIMIT     hard RLIMIT_NOFILE for the broker (default 2048;
                           0 keeps the inherited limit)
docs/performance.md's figures come from
  SPATE_SCALE_PARTITIONS=100000 SPATE_SCALE_CONNECTIONS=10000 SPATE_SCALE_FD_LIMIT=0 \\
    SPATE_BIN=build/spate /usr/bin/python3 tests/system/test_broker_scale.py
"""

import os
import resource
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from kafka_wire import api_versions, kstring, read_response, recv_exact, request
from spate_broker import Broker, check

# Measured figures (docs/performance.md); the test allows twice as much.
BYTES_PER_PARTITION = 3000
BYTES_PER_CONNECTION = 5000
PARTITIONS_PER_TOPIC = 1000

PARTITIONS = int(os.environ.get("SPATE_SCALE_PARTITIONS", "3000"))
CONNECTIONS = int(os.environ.get("SPATE_SCALE_CONNECTIONS", "1500"))
FD_LIMIT = int(os.environ.get("SPATE_SCALE_FD_LIMIT", "2048"))


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def create_topics_v0(port, topics, timeout_ms=600000):
    """CreateTopics v0 for [(name, partitions)], replication factor 1; returns
    {name: error_code}."""
    body = struct.pack(">i", len(topics))
    for name, parts in topics:
        body += kstring(name) + struct.pack(">ihii", parts, 1, 0, 0)
    body += struct.pack(">i", timeout_ms)
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout_ms / 1000)
    s.sendall(request(19, 0, 7, body))
    payload = read_response(s)
    s.close()
    pos = 4
    (n,) = struct.unpack_from(">i", payload, pos)
    pos += 4
    out = {}
    for _ in range(n):
        (ln,) = struct.unpack_from(">h", payload, pos)
        name = payload[pos + 2:pos + 2 + ln].decode()
        pos += 2 + ln
        (err,) = struct.unpack_from(">h", payload, pos)
        pos += 2
        out[name] = err
    return out


def metadata_all_v1(port):
    """Metadata v1 for every topic: ({topic: partition count}, seconds to the
    whole response)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    start = time.monotonic()
    s.sendall(request(3, 1, 9, struct.pack(">i", -1)))
    payload = read_response(s)
    elapsed = time.monotonic() - start
    s.close()
    pos = 4
    (nb,) = struct.unpack_from(">i", payload, pos)
    pos += 4
    for _ in range(nb):
        pos += 4
        (ln,) = struct.unpack_from(">h", payload, pos)
        pos += 2 + ln + 4
        (ln,) = struct.unpack_from(">h", payload, pos)
        pos += 2 + max(ln, 0)
    pos += 4  # controller id
    (nt,) = struct.unpack_from(">i", payload, pos)
    pos += 4
    topics = {}
    for _ in range(nt):
        pos += 2
        (ln,) = struct.unpack_from(">h", payload, pos)
        name = payload[pos + 2:pos + 2 + ln].decode()
        pos += 2 + ln + 1
        (np_,) = struct.unpack_from(">i", payload, pos)
        pos += 4
        for _ in range(np_):
            pos += 2 + 4 + 4
            (nr,) = struct.unpack_from(">i", payload, pos)
            pos += 4 + 4 * nr
            (ni,) = struct.unpack_from(">i", payload, pos)
            pos += 4 + 4 * ni
        topics[name] = np_
    return topics, elapsed, len(payload)


def settle_rss(pid):
    """RSS once two reads 0.2 s apart agree within 1% (deadline 5 s)."""
    last = rss_bytes(pid)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = rss_bytes(pid)
        if abs(now - last) <= last // 100:
            return now
        last = now
    return last


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if FD_LIMIT:
        # The broker inherits it and raises its soft limit to this hard one.
        hard = min(hard, FD_LIMIT) if hard != resource.RLIM_INFINITY else FD_LIMIT
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    check(CONNECTIONS + 64 < hard, "the connections need more descriptors than %d" % hard)

    with Broker() as b:  # started
        pid = b.pid()
        # Warm up: one topic, one Metadata, one connection's round trip.
        check(create_topics_v0(b.port, [("warmup", 1)]) == {"warmup": 0}, "warm-up topic")
        metadata_all_v1(b.port)
        base = settle_rss(pid)

        names = []
        left = PARTITIONS
        start = time.monotonic()
        while left > 0:
            n = min(PARTITIONS_PER_TOPIC, left)
            names.append(("scale-%d" % len(names), n))
            left -= n
        for i in range(0, len(names), 10):
            errs = create_topics_v0(b.port, names[i:i + 10])
            check(all(e == 0 for e in errs.values()), "CreateTopics: %s" % errs)
        create_s = time.monotonic() - start
        after_parts = settle_rss(pid)
        per_partition = (after_parts - base) / PARTITIONS
        fds = open_fds(pid)
        print("%d partitions created in %.1f s: RSS %+.1f MiB, %.0f bytes per partition, "
              "%d open descriptors (limit %d)"
              % (PARTITIONS, create_s, (after_parts - base) / 2**20, per_partition, fds, hard))

        topics, md_s, md_bytes = metadata_all_v1(b.port)
        listed = sum(n for t, n in topics.items() if t.startswith("scale-"))
        check(listed == PARTITIONS, "Metadata listed %d of %d partitions" % (listed, PARTITIONS))
        print("Metadata v1 for all topics: %d partitions, %d bytes, %.3f s"
              % (listed, md_bytes, md_s))

        before_conns = settle_rss(pid)
        conns = []
        start = time.monotonic()
        for i in range(CONNECTIONS):
            s = socket.create_connection(("127.0.0.1", b.port), timeout=30)
            s.sendall(api_versions(i))
            conns.append(s)
        for i, s in enumerate(conns):
            (corr,) = struct.unpack_from(">i", read_response(s), 0)
            check(corr == i, "ApiVersions answer %d on connection %d" % (corr, i))
        open_s = time.monotonic() - start
        after_conns = settle_rss(pid)
        per_connection = (after_conns - before_conns) / CONNECTIONS
        print("%d idle connections (ApiVersions done) in %.1f s: RSS %+.1f MiB, "
              "%.0f bytes per connection"
              % (CONNECTIONS, open_s, (after_conns - before_conns) / 2**20, per_connection))

        check(b.alive(), "the broker died")
        check(per_partition <= 2 * BYTES_PER_PARTITION,
              "%.0f bytes per partition: over the budget of %d"
              % (per_partition, 2 * BYTES_PER_PARTITION))
        check(per_connection <= 2 * BYTES_PER_CONNECTION,
              "%.0f bytes per connection: over the budget of %d"
              % (per_connection, 2 * BYTES_PER_CONNECTION))
        for s in conns:
            s.close()
        # Still serving after the load.
        s = socket.create_connection(("127.0.0.1", b.port), timeout=10)
        s.sendall(api_versions(77))
        check(struct.unpack_from(">i", read_response(s), 0)[0] == 77, "ApiVersions after")
        s.close()
        b.stop()
    print("ok")


if __name__ == "__main__":
    main()
