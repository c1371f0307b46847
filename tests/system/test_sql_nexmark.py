"""Streaming SQL end to end over the PostgreSQL protocol: Nexmark bids
produced with confluent-kafka (and a small topic with kcat, including one
record that does not decode), a JSON source created through psycopg2, and
the stateless Nexmark queries q0, q1, q2, q21 and q22 as sinks. Every sink
topic, read by a read_committed consumer, must hold exactly the reference
rows (tests/support/nexmark.py) as a multiset: numbers compared as exact
decimals, timestamps in the documented text format. Then SHOW, EXPLAIN,
DROP SINK, and a clean SIGTERM shutdown."""

import collections
import os
import re
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, os.path.join(here, "..", "support"))
import nexmark  # noqa: E402
import psycopg2  # noqa: E402
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition  # noqa: E402
from spate_broker import Broker, check, create_topic  # noqa: E402

BIDS = int(os.environ.get("SPATE_SQL_TEST_BIDS", "20000"))
SEED = 7
KCAT_BIDS = 500
KCAT_SEED = 8
SINK_DEADLINE_S = 60.0
PGWIRE_RE = re.compile(r"pgwire listener on (\S+):(\d+)")


def pg_endpoint(broker, timeout=20.0):
    """(host, port) from the broker's `pgwire listener on HOST:PORT` line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in list(broker.output):
            m = PGWIRE_RE.search(line)
            if m:
                return m.group(1), int(m.group(2))
        check(broker.alive(), "spate serve exited:\n%s" % "\n".join(broker.output[-30:]))
        time.sleep(0.05)
    raise AssertionError("no pgwire listener line:\n%s" % "\n".join(broker.output[-30:]))


def fill_with_kcat(bootstrap, topic, good):
    """Produces `good` (encoded bids) with kcat, one record per line, with a
    line that is not JSON in the middle. Returns nothing; raises on failure."""
    lines = [v.decode() for v in good]
    lines.insert(len(lines) // 2, "{this is not json")
    p = subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", topic, "-p", "0"],
                       input="\n".join(lines) + "\n", capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 0, "kcat -P failed (%d): %s" % (p.returncode, p.stderr))


def wait_for_topic(consumer, topic, deadline):
    """The topic's partitions once it exists. Lists all topics: a Metadata
    request naming the topic could auto-create it before the engine does."""
    while True:
        md = consumer.list_topics(timeout=5)
        t = md.topics.get(topic)
        if t is not None and t.error is None and t.partitions:
            return sorted(t.partitions)
        check(time.monotonic() < deadline, "sink topic %s never appeared" % topic)
        time.sleep(0.1)


def read_sink(bootstrap, topic, expected, deadline):
    """Decoded rows of `topic` as a read_committed consumer sees them: read
    until `expected` rows arrived (or the deadline), then until the topic is
    quiet for a second, so that extra rows are noticed too."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "sql-test-verify",
                  "enable.auto.commit": False, "isolation.level": "read_committed",
                  "allow.auto.create.topics": False,
                  "auto.offset.reset": "earliest"})
    rows = []
    try:
        parts = wait_for_topic(c, topic, deadline)
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
        quiet_since = None
        while True:
            msgs = c.consume(10000, 0.2)
            for m in msgs:
                if m.error():
                    raise KafkaException(m.error())
                rows.append(nexmark.decode_sink_row(m.value()))
            now = time.monotonic()
            if len(rows) < expected:
                if now >= deadline:
                    break
                continue
            if msgs:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= 1.0:
                break
    finally:
        c.close()
    return rows


def compare(query, topic, got_rows, want_rows):
    got = collections.Counter(nexmark.row_key(query, r) for r in got_rows)
    want = collections.Counter(nexmark.row_key(query, r) for r in want_rows)
    if got == want:
        return
    missing = list((want - got).elements())
    extra = list((got - want).elements())
    raise AssertionError("%s (%s): %d rows, expected %d; %d missing, e.g. %s; %d unexpected, e.g. %s"
                         % (query, topic, len(got_rows), len(want_rows), len(missing),
                            missing[:3], len(extra), extra[:3]))


def names_in(cur, statement):
    cur.execute(statement)
    return {cell for row in cur.fetchall() for cell in row if isinstance(cell, str)}


def run_queries(broker, cur, bids, kcat_bids):
    queries = ["q0", "q1", "q2", "q21", "q22"]
    for q in queries:
        cur.execute(nexmark.sink_sql(q))
    cur.execute(nexmark.sink_sql("q0", src="bid_kcat", sink="q0_kcat"))
    for q in queries:
        want = nexmark.reference(q, bids)
        got = read_sink(broker.bootstrap, q + "_out", len(want),
                        time.monotonic() + SINK_DEADLINE_S)
        compare(q, q + "_out", got, want)
        print("%s: %d rows match the reference" % (q, len(want)))
    want = nexmark.reference("q0", kcat_bids)
    got = read_sink(broker.bootstrap, "q0_kcat_out", len(want),
                    time.monotonic() + SINK_DEADLINE_S)
    compare("q0", "q0_kcat_out", got, want)
    print("q0 over the kcat topic: %d rows, the undecodable record skipped" % len(want))


def check_catalog(cur):
    sources = names_in(cur, "SHOW SOURCES")
    check({"bid", "bid_kcat"} <= sources, "SHOW SOURCES: %s" % sorted(sources))
    sinks = names_in(cur, "SHOW SINKS")
    check({"q0", "q1", "q2", "q21", "q22", "q0_kcat"} <= sinks, "SHOW SINKS: %s" % sorted(sinks))
    cur.execute("EXPLAIN " + nexmark.select_sql("q1"))
    plan = cur.fetchall()
    check(len(plan) >= 1, "EXPLAIN returned no rows")
    cur.execute("DROP SINK q2")
    sinks = names_in(cur, "SHOW SINKS")
    check("q2" not in sinks and "q1" in sinks, "SHOW SINKS after DROP SINK q2: %s" % sorted(sinks))


def main():
    with Broker(extra_args=["--pg-listen", "127.0.0.1:0"]) as broker:
        host, port = pg_endpoint(broker)
        create_topic(broker.bootstrap, "bid", 1)
        create_topic(broker.bootstrap, "bid_kcat", 1)
        t0 = time.monotonic()
        nexmark.produce(broker.bootstrap, "bid", BIDS, SEED)
        print("produced %d bids in %.1f s" % (BIDS, time.monotonic() - t0))
        bids = list(nexmark.bids(SEED, BIDS))
        kcat_bids = list(nexmark.bids(KCAT_SEED, KCAT_BIDS))
        fill_with_kcat(broker.bootstrap, "bid_kcat", [nexmark.encode(b) for b in kcat_bids])

        conn = psycopg2.connect(host=host, port=port, user="spate", dbname="spate",
                                connect_timeout=10)
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute(nexmark.SOURCE_SQL)
        cur.execute(nexmark.source_sql("bid_kcat", "bid_kcat"))
        run_queries(broker, cur, bids, kcat_bids)
        check_catalog(cur)
        conn.close()
        broker.stop()
    print("ok")


if __name__ == "__main__":
    main()
