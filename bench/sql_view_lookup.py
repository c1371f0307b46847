"""Point lookups on a materialized view with many keys:
    SPATE_BIN=build/spate /usr/bin/python3 bench/sql_view_lookup.py [KEYS]

Starts `spate serve` (optimised build in SPATE_BIN), writes KEYS (default
1,000,000) JSON records with distinct ids to topic `kv` (kcat), creates
`CREATE MATERIALIZED VIEW by_id AS SELECT id, count(*) AS n, max(v) AS v FROM
kv GROUP BY id` (an updating view: its replica is ordered by id), waits until
the view has every key, then times 2,000 point lookups of random ids:
  - server time: `EXPLAIN ANALYZE SELECT n, v FROM by_id WHERE id = $1`
    ("Execution Time": planning excluded, replica seek and row out included);
  - client round trip of the plain SELECT over psycopg2;
and, as baselines from the same run, the round trip of `SELECT 1` (pgwire
and session overhead alone) and the server time of a full scan
(`SELECT count(*) FROM by_id`). Prints medians, p99 and ratios."""

import os
import random
import re
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "system", "lib"))
from spate_broker import create_topic, wait_until  # noqa: E402
from spate_sql import SqlServer  # noqa: E402

LOOKUPS = 2000


def produce(bootstrap, keys):
    lines = "".join('{"id":%d,"v":%d}\n' % (i, (i * 7919) % 100003) for i in range(keys))
    subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "kv", "-X", "linger.ms=20",
                    "-X", "batch.num.messages=100000"], input=lines.encode(), check=True)


def server_ms(cur, sql, params=()):
    cur.execute("EXPLAIN ANALYZE " + sql, params)
    for (line,) in cur.fetchall():
        m = re.match(r"Execution Time: ([0-9.]+) ms", line)
        if m:
            return float(m.group(1))
    raise AssertionError("no Execution Time in EXPLAIN ANALYZE of " + sql)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def main():
    keys = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with SqlServer(extra_args=["--http-listen", "off"]) as server:
        create_topic(server.bootstrap, "kv", 1)
        t0 = time.monotonic()
        produce(server.bootstrap, keys)
        conn = server.connect()
        cur = conn.cursor()
        cur.execute("CREATE SOURCE kv (id BIGINT, v BIGINT) WITH (topic = 'kv', format = 'json', "
                    "scan_startup_mode = 'earliest')")
        cur.execute("CREATE MATERIALIZED VIEW by_id AS SELECT id, count(*) AS n, max(v) AS v "
                    "FROM kv GROUP BY id")
        got = {}

        def complete():
            cur.execute("SELECT count(*) FROM by_id")
            got["n"] = cur.fetchone()[0]
            return got["n"] == keys

        wait_until(complete, 1800, lambda: "view has %s of %d keys" % (got.get("n"), keys),
                   interval=1.0)
        print("sql_view_lookup: %d keys in the view after %.1f s" % (keys, time.monotonic() - t0))

        rnd = random.Random(5)
        ids = [rnd.randrange(keys) for _ in range(LOOKUPS)]
        for i in ids[:50]:  # warm the connection and the plan cache paths
            cur.execute("SELECT n FROM by_id WHERE id = %s", (i,))
        server, trip, one = [], [], []
        for i in ids:
            server.append(server_ms(cur, "SELECT n, v FROM by_id WHERE id = %s", (i,)))
            start = time.perf_counter()
            cur.execute("SELECT n, v FROM by_id WHERE id = %s", (i,))
            row = cur.fetchone()
            trip.append(1000 * (time.perf_counter() - start))
            assert row is not None and row[0] == 1 and row[1] == (i * 7919) % 100003, (i, row)
            start = time.perf_counter()
            cur.execute("SELECT 1")
            cur.fetchone()
            one.append(1000 * (time.perf_counter() - start))
        scan = [server_ms(cur, "SELECT count(*) FROM by_id") for _ in range(3)]
        print("sql_view_lookup: point lookup server time: median %.3f ms, p99 %.3f ms"
              % (pct(server, 0.5), pct(server, 0.99)))
        print("sql_view_lookup: point lookup round trip (psycopg2): median %.3f ms, p99 %.3f ms"
              % (pct(trip, 0.5), pct(trip, 0.99)))
        print("sql_view_lookup: baseline SELECT 1 round trip: median %.3f ms; lookup/SELECT 1 = "
              "%.2f x" % (pct(one, 0.5), pct(trip, 0.5) / pct(one, 0.5)))
        print("sql_view_lookup: baseline full scan of %d keys: median %.1f ms server time; "
              "scan/lookup = %.0f x" % (keys, pct(scan, 0.5), pct(scan, 0.5) / pct(server, 0.5)))


if __name__ == "__main__":
    main()
