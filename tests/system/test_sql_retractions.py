"""Aggregations over updating views (psycopg2 + confluent_kafka): a view
keeps per-account balances (GROUP BY acct, with HAVING, so rows update and
leave), and two views aggregate it again: per group (count, sum, min, max,
avg, count(DISTINCT)) and a histogram of the per-account event counts (a
two-stage aggregation), plus a debezium sink of a second-stage aggregation
(its folded content is checked at the end). Events then update accounts -- the largest balance
of a group falls, accounts move between groups, some drop out of HAVING --
and each view must equal the same computation done in Python over all the
events, after every phase; a kill -9 and a restart with the SQL state
directory wiped sit between phases. Every wait is a deadline on a
condition."""

import collections
import json
import os
import random
import shutil
import sys
from decimal import Decimal
from fractions import Fraction

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
import psycopg2  # noqa: E402
import psycopg2.errors  # noqa: E402
from spate_broker import check, create_topic, wait_until  # noqa: E402
from spate_sql import SqlServer  # noqa: E402

SEED = 5
ACCOUNTS = 300
DEADLINE_S = 90.0

SOURCE = ("CREATE SOURCE ev (acct BIGINT, grp BIGINT, amount BIGINT) "
          "WITH (topic = 'ev', format = 'json', scan_startup_mode = 'earliest')")
BALANCES = ("CREATE MATERIALIZED VIEW balances AS SELECT acct, max(grp) AS grp, "
            "sum(amount) AS balance, count(*) AS events FROM ev GROUP BY acct "
            "HAVING sum(amount) > 0")
PER_GROUP = ("CREATE MATERIALIZED VIEW per_group AS SELECT grp, count(*) AS accounts, "
             "sum(balance) AS total, min(balance) AS lo, max(balance) AS hi, "
             "avg(events) AS mean_events, count(DISTINCT events) AS event_counts "
             "FROM balances GROUP BY grp")
# The second stage as a debezium sink: its output is a changelog too.
SINK = ("CREATE SINK group_sizes AS SELECT grp, count(*) AS accounts FROM balances GROUP BY grp "
        "WITH (topic = 'group_sizes', type = 'debezium', primary_key = 'grp')")
HISTOGRAM = ("CREATE MATERIALIZED VIEW histogram AS SELECT events, count(*) AS accounts, "
             "max(balance) AS top FROM balances GROUP BY events")


def produce(bootstrap, events):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for e in events:
        # Keyed by account: one account's events stay in order.
        p.produce("ev", key=str(e["acct"]).encode(), value=json.dumps(e).encode())
    check(p.flush(30) == 0, "producer did not flush")


def balances_of(events):
    acc = {}
    for e in events:
        a = acc.setdefault(e["acct"], {"grp": e["grp"], "balance": 0, "events": 0})
        a["grp"] = max(a["grp"], e["grp"])
        a["balance"] += e["amount"]
        a["events"] += 1
    return {k: v for k, v in acc.items() if v["balance"] > 0}


def expected_per_group(events):
    groups = collections.defaultdict(list)
    for a in balances_of(events).values():
        groups[a["grp"]].append(a)
    out = {}
    for g, rows in groups.items():
        bal = [r["balance"] for r in rows]
        ev = [r["events"] for r in rows]
        out[g] = (len(rows), sum(bal), min(bal), max(bal), Fraction(sum(ev), len(ev)),
                  len(set(ev)))
    return out


def expected_histogram(events):
    groups = collections.defaultdict(list)
    for a in balances_of(events).values():
        groups[a["events"]].append(a["balance"])
    return {n: (len(b), max(b)) for n, b in groups.items()}


def read_per_group(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT grp, accounts, total, lo, hi, mean_events, event_counts "
                    "FROM per_group")
        out = {}
        for grp, n, total, lo, hi, mean, distinct in cur.fetchall():
            # avg is numeric: compared as the exact quotient at its scale.
            out[grp] = (n, int(total), lo, hi, Decimal(mean), distinct)
        return out


def same_per_group(got, want):
    if set(got) != set(want):
        return False
    for g, (n, total, lo, hi, mean, distinct) in got.items():
        wn, wtotal, wlo, whi, wmean, wdistinct = want[g]
        if (n, total, lo, hi, distinct) != (wn, wtotal, wlo, whi, wdistinct):
            return False
        exp = mean.as_tuple().exponent
        q = (Decimal(wmean.numerator) / Decimal(wmean.denominator)).quantize(
            Decimal(1).scaleb(exp))
        if abs(q - mean) > Decimal(1).scaleb(exp):
            return False
    return True


def read_histogram(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT events, accounts, top FROM histogram")
        return {n: (a, int(top)) for n, a, top in cur.fetchall()}


def converge(conn, events, what):
    want_g, want_h = expected_per_group(events), expected_histogram(events)
    last = {}

    def done():
        last["g"], last["h"] = read_per_group(conn), read_histogram(conn)
        return same_per_group(last["g"], want_g) and last["h"] == want_h

    def why():
        g, h = last.get("g", {}), last.get("h", {})
        diff_g = sorted(k for k in set(g) | set(want_g)
                        if k not in g or k not in want_g or not same_per_group({k: g[k]},
                                                                               {k: want_g[k]}))
        diff_h = sorted(k for k in set(h) | set(want_h) if h.get(k) != want_h.get(k))
        return "%s: per_group differs at %s (e.g. %s vs %s); histogram differs at %s" % (
            what, diff_g[:5], [g.get(k) for k in diff_g[:2]], [want_g.get(k) for k in diff_g[:2]],
            diff_h[:5])

    wait_until(done, DEADLINE_S, why, interval=0.3)
    print("%s: %d groups, %d histogram rows match the batch computation"
          % (what, len(want_g), len(want_h)), flush=True)


def phase_events(rng, phase):
    out = []
    if phase == 0:
        for a in range(ACCOUNTS):
            for _ in range(rng.randint(1, 3)):
                out.append({"acct": a, "grp": a % 7, "amount": rng.randint(1, 1000)})
        return out
    for _ in range(ACCOUNTS):
        a = rng.randrange(ACCOUNTS)
        r = rng.random()
        if r < 0.2:  # a big withdrawal: the group's maximum may fall, HAVING may drop it
            out.append({"acct": a, "grp": 0, "amount": -rng.randint(500, 3000)})
        elif r < 0.35:  # moves to a higher group (max(grp))
            out.append({"acct": a, "grp": 7 + phase + rng.randrange(3), "amount": 1})
        else:
            out.append({"acct": a, "grp": 0, "amount": rng.randint(1, 1000)})
    return out


def folded_debezium(bootstrap, topic):
    """The sink topic folded: key -> the last "after" row (deletes dropped),
    read_committed up to the partitions' ends."""
    import time
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "retractions-reader",
                  "enable.auto.commit": False, "isolation.level": "read_committed"})
    try:
        parts = c.list_topics(topic, timeout=10).topics[topic].partitions
        ends = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in parts}
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
        latest = {}
        deadline = time.monotonic() + 30
        while True:
            batch = c.consume(10000, 0.5)
            pos = {tp.partition: tp.offset for tp in c.position(
                [TopicPartition(topic, p) for p in parts])}
            # A partition's last offset is usually a transaction marker,
            # which a consumer does not return.
            at_end = all(ends[p] == 0 or pos[p] >= ends[p] - 1 for p in parts)
            if not batch and (at_end or time.monotonic() > deadline):
                break
            for m in batch:
                check(m.error() is None, "consume: %s" % m.error())
                latest[m.key()] = json.loads(m.value())["after"] if m.value() else None
        return {json.loads(k)["grp"]: v["accounts"] for k, v in latest.items() if v}
    finally:
        c.close()


def check_sink(bootstrap, events):
    want = {g: row[0] for g, row in expected_per_group(events).items()}
    last = {}

    def done():
        last["got"] = folded_debezium(bootstrap, "group_sizes")
        return last["got"] == want

    wait_until(done, DEADLINE_S, lambda: "debezium sink group_sizes: %s, want %s"
               % (sorted(last.get("got", {}).items()), sorted(want.items())), interval=0.5)
    print("debezium sink over the updating view: %d groups match" % len(want), flush=True)


def check_refusals(conn):
    with conn.cursor() as cur:
        for sql, what in [
            ("CREATE MATERIALIZED VIEW plain AS SELECT acct, balance FROM balances",
             "without GROUP BY"),
            ("CREATE MATERIALIZED VIEW nested AS SELECT events, count(*) FROM "
             "(SELECT acct, count(*) AS events FROM ev GROUP BY acct) s GROUP BY events",
             "an aggregation over an aggregation"),
        ]:
            try:
                cur.execute(sql)
                raise AssertionError("accepted: " + sql)
            except psycopg2.errors.FeatureNotSupported as e:
                check(what in str(e), "refusal of %s: %s" % (what, e))


def main():
    rng = random.Random(SEED)
    with SqlServer() as server:
        create_topic(server.bootstrap, "ev", 3)
        conn = server.connect()
        with conn.cursor() as cur:
            cur.execute(SOURCE)
            cur.execute(BALANCES)
            cur.execute(PER_GROUP)
            cur.execute(HISTOGRAM)
            cur.execute(SINK)
        check_refusals(conn)
        events = []
        for phase in range(4):
            batch = phase_events(rng, phase)
            if phase == 2:
                conn.close()
                server.kill()
                server.start()
                conn = server.connect()
                print("killed (SIGKILL) and restarted", flush=True)
            if phase == 3:
                conn.close()
                server.stop()
                shutil.rmtree(os.path.join(server.data_dir, "sql-state"))
                server.start()
                conn = server.connect()
                print("restarted with the SQL state directory wiped", flush=True)
            produce(server.bootstrap, batch)
            events.extend(batch)
            converge(conn, events, "phase %d (%d events)" % (phase, len(events)))
        check_sink(server.bootstrap, events)
        conn.close()
        server.stop()
    print("ok")


if __name__ == "__main__":
    main()
