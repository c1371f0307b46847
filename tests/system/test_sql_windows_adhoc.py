"""Window table functions in ad-hoc queries over PostgreSQL's protocol:
Nexmark bids (tests/support/nexmark.py) plus a few records without a time
on a two-partition topic, read through psycopg2 with TUMBLE, HOP (with an
offset), CUMULATE and SESSION; every result must equal, as a multiset, the
windows computed here in Python from the same bids. Also EXPLAIN's window
line and the errors of EMIT ON WINDOW CLOSE on a plain SELECT and of a HOP
whose size is not a multiple of its slide (SQLSTATE and position)."""

import collections
import datetime
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, os.path.join(here, "..", "support"))
import nexmark  # noqa: E402
import psycopg2  # noqa: E402
from spate_broker import check, create_topic, produce_values  # noqa: E402
from spate_sql import SqlServer  # noqa: E402

BIDS = int(os.environ.get("SPATE_SQL_TEST_BIDS", "4000"))
SEED = 11
PARTITIONS = 2
MS = 1000
EPOCH = datetime.datetime(1970, 1, 1)
# Records without a usable time: no window rows.
NO_TIME = [
    {"auction": 1, "bidder": 1, "price": 1, "channel": "x", "url": "u", "date_time": None,
     "extra": ""},
    {"auction": 2, "bidder": 2, "price": 2, "channel": "x", "url": "u", "extra": ""},
]


def micros(text):
    """'YYYY-MM-DD HH:MM:SS.fff' (UTC) -> microseconds since the epoch."""
    dt = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f")
    return (dt - EPOCH) // datetime.timedelta(microseconds=1)


def as_micros(dt):
    return (dt - EPOCH) // datetime.timedelta(microseconds=1)


def tumble(t, size, offset=0):
    start = (t - offset) // size * size + offset
    return [(start, start + size)]


def hop(t, slide, size, offset=0):
    last = (t - offset) // slide * slide + offset
    return [(s, s + size) for s in range(last - size + slide, last + 1, slide)]


def cumulate(t, step, size):
    start = t // size * size
    return [(start, start + j * step) for j in range(1, size // step + 1) if start + j * step > t]


def sessions(times, gap):
    """{time: (start, end)} for one stream of event times."""
    out = {}
    current = []
    for t in sorted(times):
        if current and t >= current[-1] + gap:
            for c in current:
                out[c] = (current[0], current[-1] + gap)
            current = []
        current.append(t)
    for c in current:
        out[c] = (current[0], current[-1] + gap)
    return out


def expected(bids, assign):
    """Multiset of (auction, bidder, time, start, end) for `assign`(time)."""
    rows = collections.Counter()
    for b in bids:
        t = micros(b["date_time"])
        for start, end in assign(t):
            rows[(b["auction"], b["bidder"], t, start, end)] += 1
    return rows


def query(cur, sql):
    cur.execute(sql)
    rows = collections.Counter()
    for auction, bidder, t, start, end in cur.fetchall():
        rows[(auction, bidder, as_micros(t), as_micros(start), as_micros(end))] += 1
    return rows


def compare(name, got, want):
    if got == want:
        print("%s: %d rows match" % (name, sum(want.values())))
        return
    missing = list((want - got).elements())
    extra = list((got - want).elements())
    raise AssertionError("%s: %d rows, expected %d; %d missing, e.g. %s; %d unexpected, e.g. %s"
                         % (name, sum(got.values()), sum(want.values()), len(missing),
                            missing[:3], len(extra), extra[:3]))


def check_error(cur, sql, sqlstate, position):
    try:
        cur.execute(sql)
    except psycopg2.Error as e:
        check(e.pgcode == sqlstate, "%s: SQLSTATE %s, expected %s (%s)"
              % (sql, e.pgcode, sqlstate, e.pgerror))
        got = e.diag.statement_position
        check(got == str(position), "%s: position %s, expected %d" % (sql, got, position))
        return
    raise AssertionError("%s succeeded; expected SQLSTATE %s" % (sql, sqlstate))


def run(cur, bids):
    cols = "SELECT auction, bidder, date_time, window_start, window_end FROM "
    compare("TUMBLE 1 s",
            query(cur, cols + "TUMBLE(bid, date_time, INTERVAL '1' SECOND)"),
            expected(bids, lambda t: tumble(t, 1000 * MS)))
    compare("HOP 250 ms / 1 s, offset 100 ms",
            query(cur, cols + "HOP(bid, date_time, INTERVAL '0.25' SECOND, INTERVAL '1' SECOND, "
                              "INTERVAL '100 milliseconds') AS h"),
            expected(bids, lambda t: hop(t, 250 * MS, 1000 * MS, 100 * MS)))
    compare("CUMULATE 200 ms / 1 s",
            query(cur, cols + "CUMULATE(bid, date_time, INTERVAL '200 milliseconds', "
                              "INTERVAL '1' SECOND)"),
            expected(bids, lambda t: cumulate(t, 200 * MS, 1000 * MS)))
    compare("TUMBLE with a filter below and above",
            query(cur, cols + "TUMBLE(bid, date_time, INTERVAL '1' SECOND) WHERE auction % 7 = 0 "
                              "AND window_end > TIMESTAMP '2015-07-15 00:00:02'"),
            collections.Counter({k: v for k, v in expected(
                bids, lambda t: tumble(t, 1000 * MS)).items()
                if k[0] % 7 == 0 and k[4] > micros("2015-07-15 00:00:02.000")}))
    # One stream of sessions over the bids of every 40th bidder (no GROUP BY).
    few = [b for b in bids if b["bidder"] % 40 == 0]
    gap = 150 * MS
    by_time = sessions([micros(b["date_time"]) for b in few], gap)
    want = expected(few, lambda t: [by_time[t]])
    check(len({w for w in by_time.values()}) > 3, "the session data has too few sessions")
    compare("SESSION 150 ms",
            query(cur, cols + "SESSION((SELECT * FROM bid WHERE bidder % 40 = 0), date_time, "
                              "INTERVAL '0.15' SECOND)"),
            want)


def check_plan_and_errors(cur):
    cur.execute("EXPLAIN SELECT auction FROM HOP(bid, date_time, INTERVAL '2' SECOND, "
                "INTERVAL '10' SECOND) WHERE price > 5")
    plan = "\n".join(r[0] for r in cur.fetchall())
    check("Window hop(date_time, slide 2s, size 10s)" in plan, "EXPLAIN:\n" + plan)
    check(plan.index("Window") < plan.index("Filter"), "filter not below the window:\n" + plan)
    check_error(cur, "SELECT auction FROM bid EMIT ON WINDOW CLOSE", "0A000", 25)
    check_error(cur, "SELECT * FROM HOP(bid, date_time, INTERVAL '3' SECOND, INTERVAL '10' SECOND)",
                "22023", 56)


def main():
    with SqlServer() as server:
        create_topic(server.bootstrap, "bid", PARTITIONS)
        bids = list(nexmark.bids(SEED, BIDS))
        values = [nexmark.encode(b) for b in bids] + [json.dumps(r).encode() for r in NO_TIME]
        produce_values(server.bootstrap, "bid", values, PARTITIONS)
        conn = server.connect()
        cur = conn.cursor()
        cur.execute(nexmark.SOURCE_SQL)
        run(cur, bids)
        check_plan_and_errors(cur)
        conn.close()
        server.stop()
    print("ok")


if __name__ == "__main__":
    main()
