"""Helpers for the SQL system tests: a `spate serve` with its pgwire listener
on a free port, and readers of sink topics."""

import re
import time

from spate_broker import Broker, check, wait_until

PGWIRE_RE = re.compile(r"pgwire listener on (\S+):(\d+)")


class SqlServer(Broker):
    """A Broker started with `--pg-listen 127.0.0.1:0` (plus extra_args)."""

    def __init__(self, data_dir=None, extra_args=(), config=None):
        super().__init__(data_dir, ["--pg-listen", "127.0.0.1:0"] + list(extra_args), config)
        self._seen = 0

    def start(self, timeout=30.0):
        self._seen = len(self.output)
        super().start(timeout)
        return self

    def pg_port(self, timeout=30.0):
        """The pgwire port this run printed (after the latest start)."""
        def found():
            for line in self.output[self._seen:]:
                m = PGWIRE_RE.search(line)
                if m:
                    return int(m.group(2))
            check(self.alive(), "spate serve exited:\n%s" % "\n".join(self.output[-30:]))
            return None
        return wait_until(found, timeout, "the pgwire listener line")

    def dsn(self):
        return "host=127.0.0.1 port=%d user=spate dbname=spate" % self.pg_port()

    def connect(self, autocommit=True):
        import psycopg2
        conn = psycopg2.connect(self.dsn(), connect_timeout=10)
        conn.autocommit = autocommit
        return conn


def sink_rows(bootstrap, topic, expected, timeout=60.0, quiet_s=1.0):
    """Values of `topic` (all partitions) as a read_committed consumer sees
    them: reads until `expected` values arrived, then until nothing new comes
    for `quiet_s`, so that extra rows are noticed too."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "sql-test-reader",
                  "enable.auto.commit": False, "isolation.level": "read_committed",
                  "allow.auto.create.topics": False, "fetch.wait.max.ms": 50})
    out = []
    try:
        def partitions():
            t = c.list_topics(timeout=5).topics.get(topic)
            return sorted(t.partitions) if t is not None and t.error is None and t.partitions else None
        parts = wait_until(partitions, timeout, "topic %s" % topic)
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
        deadline = time.monotonic() + timeout
        last_new = time.monotonic()
        while True:
            batch = c.consume(10000, 0.1)
            for m in batch:
                if m.error():
                    raise KafkaException(m.error())
                out.append(m.value())
            if batch:
                last_new = time.monotonic()
            now = time.monotonic()
            if len(out) >= expected and now - last_new >= quiet_s:
                return out
            check(now < deadline, "topic %s: %d of %d rows after %.0fs" % (topic, len(out), expected, timeout))
    finally:
        c.close()
