"""How far a Spate continuous query has got, seen from outside through the
Kafka protocol (confluent_kafka), for tests and benchmarks.

A query `name` is the consumer group `spate-sql-<name>-<id>` (docs/sql.md,
"Exactly once"); it commits its input offsets in the transactions that
hold its output. A stateful query also reads its internal repartition
topic (`__spate_q_<...>_repartition`, the aggregation's input); its offsets
there are committed with the aggregate's output. consumed() holds when
every such topic's committed offsets (any of the query's groups) reach the
topic's end: all input went through, and the output it makes is committed.
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


def consumed(bootstrap, name, input_topic, detail=None):
    """Whether query `name` committed offsets at the end of every partition
    of its input topic and of its repartition topics. detail, a dict, gets
    {topic: (committed, end) per partition} for messages."""
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
            ok = ok and bool(parts) and all(best[p] >= ends[p] for p in parts)
        return ok
    finally:
        probe.close()


def wait_consumed(bootstrap, name, input_topic, timeout, interval=0.2):
    """Waits for consumed(); returns '' or a message with the offsets seen."""
    deadline = time.monotonic() + timeout
    while True:
        detail = {}
        if consumed(bootstrap, name, input_topic, detail):
            return ""
        if time.monotonic() >= deadline:
            return "query %s did not consume %s within %.0fs: (committed, end) %s" % (
                name, input_topic, timeout, detail)
        time.sleep(interval)
