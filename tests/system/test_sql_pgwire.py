"""The SQL engine through PostgreSQL drivers: psycopg2 (simple protocol,
implicit transactions), psycopg 3 (extended protocol: server-side
parameters in text and binary, binary results), errors with SQLSTATE that
leave the connection usable, a cancelled long query, COPY TO STDOUT,
dead-lettered bad records, a refused statement that changes nothing, and
a restart that keeps every catalog object and resumes its query."""

import json
import os
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
import psycopg  # noqa: E402
import psycopg2  # noqa: E402
import psycopg2.errors  # noqa: E402
from spate_broker import check, create_topic, produce_values, wait_until  # noqa: E402
from spate_sql import SqlServer, sink_rows  # noqa: E402

SOURCE = ("CREATE SOURCE bid (auction BIGINT, price BIGINT, channel VARCHAR, "
          "date_time TIMESTAMP, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) "
          "WITH (topic = 'bid', format = 'json', scan_startup_mode = 'earliest')")


def bid(i):
    return json.dumps({"auction": i, "price": i * 10, "channel": ["Apple", "Google"][i % 2],
                       "date_time": "2024-01-01 00:00:%02d.%03d" % (i % 60, i % 1000)}).encode()


def test_psycopg2(srv):
    conn = srv.connect(autocommit=False)  # psycopg2's implicit BEGIN
    cur = conn.cursor()
    cur.execute("SELECT auction, price, channel, date_time FROM bid WHERE auction < %s ORDER BY auction", (5,))
    rows = cur.fetchall()
    check([r[0] for r in rows] == [0, 1, 2, 3, 4], "rows %r" % rows)
    check(rows[1][2] == "Google" and str(rows[1][3]) == "2024-01-01 00:00:01.001000", "row %r" % (rows[1],))
    conn.commit()
    for sql, code in (("SELEC 1", "42601"), ("SELECT * FROM nope", "42P01")):
        try:
            cur.execute(sql)
            raise AssertionError("%s did not fail" % sql)
        except psycopg2.Error as e:
            check(e.pgcode == code, "%s: SQLSTATE %s, want %s" % (sql, e.pgcode, code))
        conn.rollback()
    cur.execute("SELECT 1 + 1")
    check(cur.fetchone() == (2,), "connection unusable after an error")
    # COPY (query) TO STDOUT
    import io
    buf = io.StringIO()
    cur.copy_expert("COPY (SELECT auction, channel FROM bid WHERE auction < 3 ORDER BY auction) TO STDOUT", buf)
    check(buf.getvalue() == "0\tApple\n1\tGoogle\n2\tApple\n", "COPY gave %r" % buf.getvalue())
    conn.close()


def test_psycopg3(srv):
    with psycopg.connect(srv.dsn(), autocommit=True) as conn:
        # Server-side parameters in text format, then binary ones with binary results.
        rows = conn.execute("SELECT auction, channel FROM bid WHERE auction = %s AND channel = %s",
                            (3, "Google")).fetchall()
        check(rows == [(3, "Google")], "text params: %r" % rows)
        cur = conn.cursor(binary=True)
        rows = cur.execute("SELECT auction, 0.5 * price AS half, date_time FROM bid WHERE auction = %b",
                           (7,)).fetchall()
        check(len(rows) == 1 and rows[0][0] == 7 and str(rows[0][1]) == "35.0",
              "binary params/results: %r" % rows)
        # A statement prepared once and executed many times.
        for i in range(3):
            r = conn.execute("SELECT price FROM bid WHERE auction = %s", (i,), prepare=True).fetchone()
            check(r == (i * 10,), "prepared run %d: %r" % (i, r))
        for sql, code in (("SELEC 1", "42601"), ("SELECT * FROM nope WHERE a = %s", "42P01")):
            try:
                conn.execute(sql, (1,) if "%s" in sql else None)
                raise AssertionError("%s did not fail" % sql)
            except psycopg.Error as e:
                check(e.sqlstate == code, "%s: SQLSTATE %s, want %s" % (sql, e.sqlstate, code))
        check(conn.execute("SELECT 40 + 2").fetchone() == (42,), "connection unusable after an error")


def test_cancel(srv):
    """A long query (pg_sleep) is interrupted by a CancelRequest: 57014."""
    conn = srv.connect()
    cur = conn.cursor()
    timer = threading.Timer(1.0, conn.cancel)
    timer.start()
    started = time.monotonic()
    try:
        cur.execute("SELECT pg_sleep(60)")
        raise AssertionError("pg_sleep(60) was not cancelled")
    except psycopg2.errors.QueryCanceled as e:
        check(e.pgcode == "57014", "cancel SQLSTATE %s" % e.pgcode)
    check(time.monotonic() - started < 15, "cancel took too long")
    cur.execute("SELECT 1")
    check(cur.fetchone() == (1,), "connection unusable after cancel")
    conn.close()


def test_sink_and_dead_letters(srv):
    conn = srv.connect()
    cur = conn.cursor()
    cur.execute("CREATE SINK apple AS SELECT auction, price * 2 AS p2 FROM bid "
                "WHERE channel = 'Apple' WITH (topic = 'apple_out', format = 'json')")
    # Broken JSON and a wrong-typed field go to the dead-letter topic; the
    # query keeps running and the next good record arrives.
    produce_values(srv.bootstrap, "bid", [b"{broken", b'{"auction": "x", "channel": "Apple"}',
                                          bid(1000)], 1)
    rows = [json.loads(v) for v in sink_rows(srv.bootstrap, "apple_out", 51)]
    want = sorted([{"auction": i, "p2": i * 20} for i in range(100) if i % 2 == 0] +
                  [{"auction": 1000, "p2": 20000}], key=lambda r: r["auction"])
    check(sorted(rows, key=lambda r: r["auction"]) == want, "sink rows %r" % rows[:5])
    dead = sink_rows(srv.bootstrap, "bid__dlq", 2)
    check(sorted(dead) == sorted([b"{broken", b'{"auction": "x", "channel": "Apple"}']), "dead letters %r" % dead)
    # A refused statement changes nothing.
    try:
        cur.execute("CREATE SINK bad AS SELECT nope FROM bid WITH (topic = 'bad_out')")
        raise AssertionError("bad sink accepted")
    except psycopg2.Error as e:
        check(e.pgcode == "42703", "bad sink SQLSTATE %s" % e.pgcode)
    cur.execute("SHOW SINKS")
    check([r[0] for r in cur.fetchall()] == ["apple"], "sinks after a refused CREATE")
    try:
        cur.execute("DROP SOURCE bid")
        raise AssertionError("DROP SOURCE with a dependent sink accepted")
    except psycopg2.Error as e:
        check(e.pgcode == "2BP01", "DROP SOURCE SQLSTATE %s" % e.pgcode)
    conn.close()


def test_restart_resumes(srv):
    srv.kill()
    srv.start()
    conn = srv.connect()
    cur = conn.cursor()
    cur.execute("SHOW SOURCES")
    check([r[0] for r in cur.fetchall()] == ["bid"], "sources after restart")
    cur.execute("SHOW SINKS")
    check([(r[0], r[3]) for r in cur.fetchall()] == [("apple", "running")], "sinks after restart")
    produce_values(srv.bootstrap, "bid", [bid(2000)], 1)
    rows = [json.loads(v) for v in sink_rows(srv.bootstrap, "apple_out", 52)]
    check(len(rows) == 52 and {"auction": 2000, "p2": 40000} in rows,
          "after restart: %d rows (duplicates or missing)" % len(rows))
    cur.execute("DROP SOURCE bid CASCADE")
    cur.execute("SHOW SINKS")
    check(cur.fetchall() == [], "CASCADE left sinks behind")
    conn.close()


def main():
    with SqlServer() as srv:
        create_topic(srv.bootstrap, "bid", 1)
        produce_values(srv.bootstrap, "bid", [bid(i) for i in range(100)], 1)
        conn = srv.connect()
        conn.cursor().execute(SOURCE)
        conn.close()
        for t in (test_psycopg2, test_psycopg3, test_cancel, test_sink_and_dead_letters,
                  test_restart_resumes):
            t(srv)
            print("ok", t.__name__)


if __name__ == "__main__":
    main()
