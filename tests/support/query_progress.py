"""How far a Spate continuous query has got, seen from outside through the
Kafka protocol (confluent_kafka), for tests and benchmarks.

A query `name` is the consumer group `spate-sql-<name>-<id>` (docs/sql.md,
"Exactly once"); it commits its input offsets in the transactions that
hold its output. A stateful query also reads its internal repartition
topic (`__spate_q_<...>_repartition`, the aggregation's input); its offsets
there are committed with the aggregate's output. consumed() holds when, for
every such topic, a read_committed reader finds no record at or after the
committed offsets (any of the query's groups): all input went through, and
the output it makes is committed. (The committed offset of a transactional
topic stays below its end: the last transaction's commit marker.)
"""

import time


def query_groups(admin, name):
    prefix = "spate-sql-%s-" % name
    return [g.id for g in admin.list_groups(timeout=10) if g.id.startswith(prefix)]


def query_topics(topics, name, groups, input_topic):
    """The input topic and the query's internal repartition topics (named
    with a group's id suffix)."""
    suffixes = [g[len("spate-sql-%s-" % name):] for g in groups]
    out = [input_topic]
    for t in topics:
        if t.startswith("__spate_q_") and t.endswith("_repartition") and \
                any(s and s in t for s in suffixes):
            out.append(t)
    return out


def _nothing_after(bootstrap, topic, committed):
    """Whether a read_committed reader starting at `committed` {partition:
    offset} reaches each partition's end without a record."""
    from confluent_kafka import Consumer, KafkaError, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False,
                  "isolation.level": "read_committed", "enable.partition.eof": True,
                  "fetch.wait.max.ms": 10})
    try:
        c.assign([TopicPartition(topic, p, max(0, o)) for p, o in committed.items()])
        pending = set(committed)
        deadline = time.monotonic() + 10
        while pending and time.monotonic() < deadline:
            for m in c.consume(100, 0.2):
                if m.error() is None:
                    return False
                if m.error().code() == KafkaError._PARTITION_EOF:
                    pending.discard(m.partition())
        return not pending
    finally:
        c.close()


def consumed(bootstrap, name, input_topic, detail=None):
    """Whether query `name` has consumed everything of its input topic and
    of its repartition topics. detail, a dict, gets {topic: {partition:
    (committed, end)}} for messages."""
    from confluent_kafka import Consumer, TopicPartition
    from confluent_kafka.admin import AdminClient
    groups = query_groups(AdminClient({"bootstrap.servers": bootstrap}), name)
    if not groups:
        if detail is not None:
            detail["groups"] = "none named spate-sql-%s-*" % name
        return False
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused",
                      "enable.auto.commit": False})
    try:
        md = probe.list_topics(timeout=10).topics
        ok = True
        for t in query_topics(md, name, groups, input_topic):
            parts = sorted(md[t].partitions) if t in md else []
            ends = {p: probe.get_watermark_offsets(TopicPartition(t, p), timeout=10)[1]
                    for p in parts}
            best = {p: -1 for p in parts}
            for g in groups:
                c = Consumer({"bootstrap.servers": bootstrap, "group.id": g,
                              "enable.auto.commit": False})
                try:
                    for tp in c.committed([TopicPartition(t, p) for p in parts], timeout=10):
                        best[tp.partition] = max(best[tp.partition], tp.offset)
                finally:
                    c.close()
            if detail is not None:
                detail[t] = {p: (best[p], ends[p]) for p in parts}
            behind = {p: best[p] for p in parts if best[p] < ends[p]}
            if not parts or any(o < 0 and ends[p] > 0 for p, o in behind.items()):
                ok = False
            elif behind and ok:
                ok = _nothing_after(bootstrap, t, behind)
        return ok
    finally:
        probe.close()


def wait_consumed(bootstrap, name, input_topic, timeout, interval=0.2, on_detail=None):
    """Waits for consumed(); returns '' or a message with the offsets seen.
    Kafka errors (a group rebalancing, a coordinator moving) count as not
    yet; the last one is in the message. on_detail(detail), if given, sees
    every check's offsets (consumed()'s detail)."""
    from confluent_kafka import KafkaException
    deadline = time.monotonic() + timeout
    while True:
        detail = {}
        try:
            done = consumed(bootstrap, name, input_topic, detail)
            if on_detail is not None:
                on_detail(detail)
            if done:
                return ""
        except KafkaException as e:
            detail["last error"] = str(e)
        if time.monotonic() >= deadline:
            return "query %s did not consume %s within %.0fs: (committed, end) %s" % (
                name, input_topic, timeout, detail)
        time.sleep(interval)
