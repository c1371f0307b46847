"""Helpers of the windowed / stateful SQL system tests (test_sql_windows_*):
reading append, upsert and late-row topics as a read_committed consumer,
waiting for a continuous query's consumer group to have consumed its input,
producing Nexmark bids with flush events, and reporting several checks of
one test.

Every wait has a deadline; a failed check names what was expected and what
was seen."""

import json
import os
import sys
import time
import traceback

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "support"))
import nexmark  # noqa: E402
import nexmark_windows  # noqa: E402
import query_progress  # noqa: E402
from spate_broker import wait_until  # noqa: E402


def _consumer(bootstrap, **extra):
    from confluent_kafka import Consumer
    conf = {"bootstrap.servers": bootstrap, "group.id": "sql-windows-reader",
            "enable.auto.commit": False, "isolation.level": "read_committed",
            "allow.auto.create.topics": False, "fetch.wait.max.ms": 50,
            "enable.partition.eof": False}
    conf.update(extra)
    return Consumer(conf)


def topic_partitions(consumer, topic, timeout):
    """The topic's partitions once it exists (lists all topics: a Metadata
    request naming the topic could auto-create it)."""
    def parts():
        t = consumer.list_topics(timeout=5).topics.get(topic)
        return sorted(t.partitions) if t is not None and t.error is None and t.partitions else None
    return wait_until(parts, timeout, "topic %s to exist" % topic)


class topic_reader:
    """A read_committed consumer of every partition of `topic` from the
    start; poll() appends new records to `records` as
    (partition, offset, key bytes|None, value bytes|None, headers list)."""

    def __init__(self, bootstrap, topic, timeout=60.0):
        from confluent_kafka import OFFSET_BEGINNING, TopicPartition
        self.topic = topic
        self.records = []
        self._c = _consumer(bootstrap)
        parts = topic_partitions(self._c, topic, timeout)
        self._c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])

    def poll(self, seconds=0.2):
        """Reads for up to `seconds`; returns the number of new records."""
        from confluent_kafka import KafkaException
        n = 0
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            msgs = self._c.consume(10000, max(0.0, min(left, 0.1)))
            for m in msgs:
                if m.error():
                    raise KafkaException(m.error())
                self.records.append((m.partition(), m.offset(), m.key(), m.value(),
                                     m.headers() or []))
                n += 1
            if left <= 0 and not msgs:
                return n

    def read_until(self, done, timeout, quiet_s=1.0):
        """Polls until done(self) holds and nothing new came for quiet_s, or
        until `timeout`; returns whether done(self) held at the end."""
        deadline = time.monotonic() + timeout
        last_new = time.monotonic()
        while True:
            if self.poll(0.1):
                last_new = time.monotonic()
            now = time.monotonic()
            if done(self) and now - last_new >= quiet_s:
                return True
            if now >= deadline:
                return done(self)

    def close(self):
        self._c.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def append_rows(reader):
    return [nexmark.decode_sink_row(r[3]) for r in reader.records]


def check_append(bootstrap, query, topic, want_rows, timeout=60.0):
    """Reads `topic` until it holds len(want_rows) rows and is quiet for a
    second (so extra rows are noticed), then returns '' when they are
    want_rows as a multiset, else the difference."""
    with topic_reader(bootstrap, topic, timeout) as r:
        r.read_until(lambda rd: len(rd.records) >= len(want_rows), timeout)
        bad = [rec for rec in r.records if rec[3] is None]
        if bad:
            return "%s: %d records with a null value in an append topic" % (topic, len(bad))
        return nexmark_windows.diff_multiset(query, append_rows(r), want_rows, " (%s)" % topic)


class upsert_view:
    """An upsert topic compacted: `latest` {key tuple: row} holds the latest
    value per key (a null value deletes). `problems` lists records whose key
    is not a JSON object of exactly the primary key or whose value's key
    columns differ from the key. update(records) folds in records not seen
    before (records only grow)."""

    def __init__(self, query):
        self.query = query
        self.latest = {}
        self.problems = []
        self._seen = 0
        self._pk = nexmark.primary_key(query)
        self._cols = nexmark.QUERY_COLUMNS[query]

    def _key(self, kobj):
        full = nexmark.row_key(self.query, {c: kobj.get(c) for c in self._cols})
        return tuple(full[self._cols.index(c)] for c in self._pk)

    def update(self, records):
        for part, off, key, value, _ in records[self._seen:]:
            try:
                kobj = json.loads(key) if key is not None else None
            except ValueError:
                kobj = None
            if not isinstance(kobj, dict) or sorted(kobj) != sorted(self._pk):
                self.problems.append("p%d@%d: key %r is not a JSON object of %s"
                                     % (part, off, key, self._pk))
                continue
            k = self._key(kobj)
            if value is None:
                self.latest.pop(k, None)
                continue
            row = nexmark.decode_sink_row(value)
            if nexmark_windows.key_of(self.query, row) != k:
                self.problems.append("p%d@%d: key %s, value %s" % (part, off, key, value[:200]))
            self.latest[k] = row
        self._seen = len(records)
        return self


def compact(query, records):
    """({key tuple: latest row}, problems) of an upsert topic's records."""
    v = upsert_view(query).update(records)
    return v.latest, v.problems


def check_upsert(bootstrap, query, topic, want_rows, timeout=60.0):
    """Reads `topic` until its compacted content (latest value per key)
    equals want_rows or `timeout` passes; returns '' or the difference."""
    view = upsert_view(query)
    with topic_reader(bootstrap, topic, timeout) as r:
        def done(rd):
            view.update(rd.records)
            return not view.problems and len(view.latest) == len(want_rows) and \
                not nexmark_windows.diff_keyed(query, view.latest, want_rows)
        if r.read_until(done, timeout):
            return ""
        if view.problems:
            return "%s (%s): %d malformed records, e.g. %s" % (
                query, topic, len(view.problems), view.problems[:3])
        return nexmark_windows.diff_keyed(query, view.latest, want_rows,
                                          " (%s, %d records)" % (topic, len(r.records)))


def query_group(bootstrap, name):
    """The consumer group id of the continuous query `name`
    (spate-sql-<name>-<id>), or None while it does not exist."""
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({"bootstrap.servers": bootstrap})
    ids = [g.id for g in admin.list_groups(timeout=10) if g.id.startswith("spate-sql-%s-" % name)]
    return ids[0] if len(ids) == 1 else None


def _assigned_partitions(assignment):
    """Partitions in a consumer-protocol Assignment (bytes)."""
    import struct
    if len(assignment) < 6:
        return 0
    pos = 2
    (topics,) = struct.unpack_from(">i", assignment, pos)
    pos += 4
    n = 0
    for _ in range(max(0, topics)):
        (tlen,) = struct.unpack_from(">h", assignment, pos)
        pos += 2 + tlen
        (parts,) = struct.unpack_from(">i", assignment, pos)
        pos += 4 + 4 * parts
        n += parts
    return n


def group_members(bootstrap, group):
    """(state, [partitions assigned to each member]) of a consumer group."""
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for g in admin.list_groups(group, timeout=10):
        if g.id == group:
            return g.state, [_assigned_partitions(m.assignment) for m in g.members]
    return "", []


def wait_consumed(bootstrap, names, topic, timeout):
    """Waits until every query in `names` has committed offsets at the end
    of its input `topic` and of its internal repartition topics
    (query_progress.consumed): everything went through it."""
    for name in names:
        msg = query_progress.wait_consumed(bootstrap, name, topic, timeout)
        if msg:
            raise AssertionError(msg)


def produce_bids(bootstrap, topic, bid_list, partitions, first=0):
    """Produces bid first+k of bid_list to partition (first+k) % partitions,
    in order."""
    items = (((first + k) % partitions, nexmark.encode(b)) for k, b in enumerate(bid_list))
    nexmark.produce_encoded(bootstrap, topic, items, ordered=True)


def produce_flush(bootstrap, topic, bid_list, partitions, days=False):
    """One flush bid (nexmark.flush_bid) to every partition; returns the
    bids and the watermark they make (flush time minus the delay)."""
    f = nexmark.flush_bid(max(nexmark.bid_us(b) for b in bid_list), days)
    nexmark.produce_encoded(bootstrap, topic, ((p, nexmark.encode(f)) for p in range(partitions)),
                            ordered=True)
    return [f] * partitions, nexmark.bid_us(f) - nexmark.WATERMARK_DELAY_MS * 1000


class checks:
    """Runs named checks of one test, each even if an earlier one failed;
    finish() repeats the failures (so a log's tail shows them) and exits 1
    when any failed. A check is a function returning '' / None (pass) or a
    message (fail), or raising."""

    def __init__(self):
        self.failed = []
        self.messages = []

    def run(self, name, fn, *args, **kw):
        start = time.monotonic()
        try:
            msg = fn(*args, **kw)
        except Exception as e:  # noqa: BLE001 - report every check
            msg = "%s: %s" % (type(e).__name__, e)
            if not isinstance(e, AssertionError):
                traceback.print_exc()
        took = time.monotonic() - start
        if msg:
            self.failed.append(name)
            self.messages.append("FAIL %s (%.1fs): %s" % (name, took, msg))
            print(self.messages[-1], flush=True)
        else:
            print("PASS %s (%.1fs)" % (name, took), flush=True)
        return not msg

    def stop_server(self, srv):
        """Stops `srv`; a server that died on its own fails the test."""
        if not srv.alive():
            print("spate serve died:\n%s" % "\n".join(srv.output[-30:]))
            self.failed.append("server alive")
        else:
            srv.stop()

    def finish(self):
        if self.failed:
            print("\n".join(m[:2000] for m in self.messages))
            print("failed: %s" % ", ".join(self.failed))
            sys.exit(1)
        print("ok")


def execute(cur, sql):
    """Runs a statement; returns '' or the error (SQLSTATE and message)."""
    import psycopg2
    try:
        cur.execute(sql)
        return ""
    except psycopg2.Error as e:
        return "%s [%s] %s" % (sql[:120], e.pgcode, (e.pgerror or str(e)).strip())


def counter_diff(got, want, what):
    """'' when two Counters are equal, else counts and examples."""
    if got == want:
        return ""
    missing = want - got
    extra = got - want
    return "%s: %d missing, e.g. %s; %d unexpected, e.g. %s" % (
        what, sum(missing.values()), list(missing.items())[:3], sum(extra.values()),
        list(extra.items())[:3])
