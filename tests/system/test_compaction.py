"""Log compaction through the real broker: a topic created with
cleanup.policy=compact (small segments, short delete.retention.ms) gets many
updates per key and some tombstones from confluent-kafka; the broker's cleaner
(log.cleaner.backoff.ms short) must leave exactly one record per key with its
latest value, drop the tombstoned keys once delete.retention.ms has passed,
and keep all of that across a restart."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, consume_all, create_topic
from confluent_kafka import Producer

TOPIC = "compacted"
KEYS = 50
ROUNDS = 40
DELETED = set(range(0, 50, 5))  # keys whose last write is a tombstone
DELETE_RETENTION_MS = 2000


def key(k):
    return b"k%03d" % k


def value(k, r):
    return b"v%03d-%03d-" % (k, r) + b"p" * (k % 40)


def produce(bootstrap):
    """Every key ROUNDS times, then tombstones for DELETED; returns the latest
    value of every key (None for a tombstone)."""
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 2,
                  "compression.codec": "lz4"})
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err)

    latest = {}
    for r in range(ROUNDS):
        for k in range(KEYS):
            p.produce(TOPIC, key=key(k), value=value(k, r), partition=0, on_delivery=on_delivery)
            latest[key(k)] = value(k, r)
        p.poll(0)
    for k in sorted(DELETED):
        p.produce(TOPIC, key=key(k), value=None, partition=0, on_delivery=on_delivery)
        latest[key(k)] = None
    check(p.flush(30) == 0, "messages left after flush")
    # The active segment is never cleaned: let segment.ms pass and append one
    # more record so that everything above lands in sealed segments.
    time.sleep(0.3)
    p.produce(TOPIC, key=b"roll", value=b"roll", partition=0, on_delivery=on_delivery)
    check(p.flush(30) == 0, "messages left after flush")
    check(not errors, "%d delivery errors, first %s" % (len(errors), errors[:1]))
    return latest


def snapshot(bootstrap):
    got = consume_all(bootstrap, TOPIC, -2, 10**9, idle_polls=10)  # -2: from the beginning
    offsets = [g[0] for g in got]
    check(offsets == sorted(offsets) and len(set(offsets)) == len(offsets),
          "offsets not strictly increasing")
    return got


def per_key(got):
    out = {}
    for _, k, v, _, _ in got:
        out.setdefault(k, []).append(v)
    return out


def compacted(got, latest, tombstones_gone):
    """Exactly the latest value of every key; a tombstoned key has no record
    (tombstones_gone) or at most its tombstone (otherwise)."""
    keys = per_key(got)
    for k, v in latest.items():
        vals = keys.get(k, [])
        if v is None:
            if vals not in ([], [None]) or (tombstones_gone and vals):
                return False
        elif vals != [v]:
            return False
    return True


def wait_for(bootstrap, latest, tombstones_gone, timeout):
    deadline = time.monotonic() + timeout
    while True:
        got = snapshot(bootstrap)
        if compacted(got, latest, tombstones_gone):
            return got
        if time.monotonic() > deadline:
            keys = per_key(got)
            bad = [(k, len(keys.get(k, []))) for k, v in latest.items()
                   if keys.get(k, []) not in ([[]] if v is None and tombstones_gone
                                              else [[], [None]] if v is None else [[v]])]
            raise AssertionError("not compacted after %ss: %d records, %d keys off, e.g. %s"
                                 % (timeout, len(got), len(bad), bad[:5]))
        time.sleep(0.5)


def main():
    config = {"log.cleaner.backoff.ms": "200"}
    with Broker(config=config) as b:
        create_topic(b.bootstrap, TOPIC, 1, {
            "cleanup.policy": "compact",
            "segment.bytes": "16384",
            "segment.ms": "200",
            "delete.retention.ms": str(DELETE_RETENTION_MS),
            "min.cleanable.dirty.ratio": "0.01",
        })
        latest = produce(b.bootstrap)
        produced = KEYS * ROUNDS + len(DELETED) + 1

        got = wait_for(b.bootstrap, latest, False, 60)
        check(len(got) < produced / 10, "only %d of %d records removed" % (produced - len(got), produced))
        # Surviving records keep their original offsets: key k's last update
        # in round ROUNDS-1 was produced at offset (ROUNDS-1)*KEYS + k.
        for off, k, v, _, _ in got:
            if k is None or k == b"roll":
                continue
            n = int(k[1:])
            if latest[k] is not None:
                check(off == (ROUNDS - 1) * KEYS + n, "%s at offset %d" % (k, off))
        tomb = [g for g in got if g[2] is None]
        check(len(tomb) in (0, len(DELETED)), "%d tombstones" % len(tomb))

        # Tombstones go once delete.retention.ms has passed since the cleaner
        # first kept them.
        got = wait_for(b.bootstrap, latest, True, 30 + DELETE_RETENTION_MS / 1000)
        check(all(g[2] is not None for g in got), "a tombstone survived")
        live = {k: v for k, v in latest.items() if v is not None}

        b.restart()
        after = snapshot(b.bootstrap)
        check(compacted(after, live, True), "content changed across restart")
        check([g[0] for g in after] == [g[0] for g in got], "offsets changed across restart")
        b.stop()
    print("ok")


if __name__ == "__main__":
    main()
