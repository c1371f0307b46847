#!/usr/bin/env python3
"""Helpers of bench/sql_bench.sh for stateful queries (/usr/bin/python3:
confluent-kafka, psycopg2).

  sql_bench_query.py wait-consumed --bootstrap B --query Q --topic T [--timeout S]
      Waits until the continuous query Q (consumer group spate-sql-Q-<id>)
      has committed offsets at the end of every partition of its input T
      and of its internal repartition topic (tests/support/query_progress.py;
      with exactly-once, its output up to there is committed too). Exit 1
      on timeout. Prints "first-commit TIME OFFSETS": when (epoch seconds)
      it first saw input offsets committed, and their sum.
  sql_bench_query.py state --bootstrap B --pg HOST:PORT --query Q --state-dir D
      Prints "KEYS BYTES SOURCE": the query's state keys and bytes from
      EXPLAIN ANALYZE Q (the operators' state_keys and state_bytes, summed)
      when the statement gives them; else BYTES = the size of D/<query id> (or D) on disk and
      KEYS = the distinct keys of Q's upsert sink topic (Q_out), or 0 when
      unknown (SOURCE says which).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "support"))
import query_progress  # noqa: E402

def wait_consumed(a):
    first = []

    def note_first_commit(detail):
        # The first check that finds input offsets committed: the group has
        # joined (Kafka's initial rebalance delay, 3 s) and committed once.
        committed = sum(max(0, c) for c, _ in detail.get(a.topic, {}).values())
        if not first and committed > 0:
            first.append((time.time(), committed))

    msg = query_progress.wait_consumed(a.bootstrap, a.query, a.topic, a.timeout,
                                       on_detail=note_first_commit)
    if first:
        print("first-commit %.3f %d" % first[0])
    if msg:
        print("sql_bench: " + msg, file=sys.stderr)
        return 1
    return 0


def explain_state(pg, query):
    """(keys, bytes) summed over the operators of EXPLAIN ANALYZE <query>
    (columns state_keys, state_bytes; NULL for stateless operators), or
    None when the statement or the columns are missing."""
    import psycopg2
    host, port = pg.rsplit(":", 1)
    try:
        conn = psycopg2.connect(host=host, port=int(port), user="spate", dbname="spate",
                                connect_timeout=10)
    except psycopg2.Error:
        return None
    try:
        cur = conn.cursor()
        cur.execute("EXPLAIN ANALYZE %s" % query)
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
    except psycopg2.Error:
        return None
    finally:
        conn.close()
    if "state_keys" not in cols or "state_bytes" not in cols:
        return None
    k, b = cols.index("state_keys"), cols.index("state_bytes")
    stateful = [r for r in rows if r[k] is not None]
    if not stateful:
        return None
    return sum(int(r[k]) for r in stateful), sum(int(r[b] or 0) for r in stateful)


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def sink_keys(bootstrap, topic):
    """Distinct record keys of `topic` (read_committed, to its end)."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False,
                  "isolation.level": "read_committed", "enable.partition.eof": True})
    keys = set()
    try:
        md = c.list_topics(topic, timeout=10).topics.get(topic)
        if md is None or md.error is not None:
            return 0
        parts = sorted(md.partitions)
        pending = {p for p in parts
                   if c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] > 0}
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
        deadline = time.monotonic() + 600
        while pending and time.monotonic() < deadline:
            for m in c.consume(10000, 0.5):
                if m.error():
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        pending.discard(m.partition())
                    continue
                if m.key() is not None:
                    keys.add(m.key())
    finally:
        c.close()
    return len(keys)


def state(a):
    got = explain_state(a.pg, a.query)
    if got is not None:
        print("%d %d explain-analyze" % got)
        return 0
    # The query's RocksDB: <data-dir>/sql-state/<id>, id as in its group's name.
    from confluent_kafka.admin import AdminClient
    groups = query_progress.query_groups(AdminClient({"bootstrap.servers": a.bootstrap}), a.query)
    ids = [g[len("spate-sql-%s-" % a.query):] for g in groups]
    dirs = [d for d in (os.path.join(a.state_dir, i) for i in ids) if os.path.isdir(d)]
    nbytes = sum(dir_bytes(d) for d in dirs) if dirs else dir_bytes(a.state_dir)
    keys = sink_keys(a.bootstrap, a.query + "_out") if a.upsert else 0
    print("%d %d %s" % (keys, nbytes, "state-dir+sink-keys" if a.upsert else "state-dir"))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("wait-consumed")
    w.add_argument("--bootstrap", required=True)
    w.add_argument("--query", required=True)
    w.add_argument("--topic", required=True)
    w.add_argument("--timeout", type=int, default=1800)
    s = sub.add_parser("state")
    s.add_argument("--bootstrap", required=True)
    s.add_argument("--pg", required=True)
    s.add_argument("--query", required=True)
    s.add_argument("--state-dir", required=True)
    s.add_argument("--upsert", action="store_true", help="count the sink's distinct keys")
    a = ap.parse_args()
    return wait_consumed(a) if a.cmd == "wait-consumed" else state(a)


if __name__ == "__main__":
    sys.exit(main())
