"""Stateful exactly-once queries under SIGKILL: q15 and q17 (daily
statistics grouped by day / by auction and day, upsert sinks, exactly once)
plus materialized views of both run over `bid_days` (3 partitions, 15 s of
event time per bid) while the bids arrive in phases, and `spate serve` is
killed with SIGKILL during three of them (once the sink topics grew in the
phase) and started again on the same data directory.

Checks, each reported on its own:
- after the kills, each sink topic as a read_committed consumer sees it,
  compacted (latest value per key), equals the batch result over every bid
  -- what a run without kills writes (test_sql_windows_nexmark.py checks
  that): no update lost, none applied twice;
- then the server stops, the SQL state directory (<data-dir>/sql-state,
  docs/sql.md) is wiped -- nothing else, the broker's log stays -- and the
  server starts again and gets one more phase of bids: the sinks converge to
  the batch result over all bids (state restored from the changelog);
- the materialized views answer SELECT * (every row), a point lookup on
  their key and a key range with the batch result."""

import os
import shutil
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, os.path.join(here, "..", "support"))
import nexmark  # noqa: E402
import nexmark_windows  # noqa: E402
import sql_windows as sw  # noqa: E402
from spate_broker import create_topic, wait_until  # noqa: E402
from spate_sql import SqlServer  # noqa: E402

PHASE = int(os.environ.get("SPATE_SQL_WINDOWS_CRASH_PHASE", "15000"))
PHASES = 4  # kills during the first three
SEED = 13
PARTITIONS = 3
DAYS = nexmark.stream_options(ms_per_event=15_000)
QUERIES = ["q15", "q17"]
DEADLINE_S = 90.0
STATE_DIR = "sql-state"


def sink_end(bootstrap):
    """Records (committed or not) in the sink topics: sum of high watermarks."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused",
                  "enable.auto.commit": False})
    total = 0
    try:
        topics = c.list_topics(timeout=10).topics
        for q in QUERIES:
            md = topics.get(q + "_out")
            if md is None or md.error is not None:
                continue
            total += sum(c.get_watermark_offsets(TopicPartition(q + "_out", p), timeout=10)[1]
                         for p in md.partitions)
    except Exception:  # noqa: BLE001 - the broker may be starting
        return -1
    finally:
        c.close()
    return total


def produce_with_kills(srv, bids):
    """Phases 0..PHASES-1; kills and restarts the server during the first
    PHASES-1 once the sink topics grew past their size before the phase."""
    for k in range(PHASES):
        # (-1: a Kafka error; the sizes before the phase are needed)
        before = wait_until(lambda: 1 + sink_end(srv.bootstrap), 30.0, "the sink sizes") - 1
        sw.produce_bids(srv.bootstrap, "bid_days", bids[k * PHASE:(k + 1) * PHASE], PARTITIONS,
                        first=k * PHASE)
        if k == PHASES - 1:
            break
        wait_until(lambda: sink_end(srv.bootstrap) > before, DEADLINE_S,
                   "the sink topics to grow in phase %d (from %d records)" % (k, before))
        srv.kill()
        srv.start()
        print("phase %d: killed after the sinks grew past %d records; restarted" % (k, before),
              flush=True)


def check_sinks(bootstrap, created, bids, label):
    msgs = []
    for q in QUERIES:
        if created[q]:
            msgs.append("%s: CREATE SINK failed: %s" % (q, created[q]))
            continue
        want = nexmark_windows.reference_rows(q, bids)
        m = sw.check_upsert(bootstrap, q, q + "_out", want, DEADLINE_S)
        if m:
            msgs.append(m)
        else:
            print("  %s %s: %d keys match" % (q, label, len(want)), flush=True)
    return "; ".join(msgs)


def wipe_state_and_restart(srv):
    srv.stop()
    state = os.path.join(srv.data_dir, STATE_DIR)
    if not os.path.isdir(state):
        srv.start()
        return "no %s after the run (entries: %s): where does the engine keep state?" % (
            state, sorted(os.listdir(srv.data_dir)))
    shutil.rmtree(state)
    srv.start()
    return ""


def view_rows(cur, query, where="", args=()):
    cur.execute("SELECT * FROM %s_view %s" % (query, where), args)
    cols = [d[0] for d in cur.description]
    return {nexmark_windows.key_of(query, r): r for r in (dict(zip(cols, t)) for t in cur)}


def check_views(srv, created_views, bids):
    """SELECT * equals the batch result (polled until it does, or the
    deadline); then a point lookup and a key range of q17_view."""
    msgs = []
    conn = srv.connect()
    cur = conn.cursor()
    for q in QUERIES:
        if created_views[q]:
            msgs.append("%s_view: CREATE MATERIALIZED VIEW failed: %s" % (q, created_views[q]))
            continue
        want = nexmark_windows.reference_rows(q, bids)
        state = {}

        def same(q=q, want=want):
            err = sw.execute(cur, "SELECT 1")  # keeps the session usable after errors
            if err:
                state["diff"] = err
                return False
            try:
                state["diff"] = nexmark_windows.diff_keyed(q, view_rows(cur, q), want, "_view")
            except Exception as e:  # noqa: BLE001 - reported
                state["diff"] = "SELECT * FROM %s_view: %s" % (q, e)
            return not state["diff"]
        try:
            wait_until(same, DEADLINE_S, "view")
        except AssertionError:
            msgs.append(state["diff"])
    if not created_views["q17"]:
        want = {nexmark_windows.key_of("q17", r): r
                for r in nexmark_windows.reference_rows("q17", bids)}
        some = sorted(want)[len(want) // 2]
        auction, day = int(some[0]), some[1]
        try:
            got = view_rows(cur, "q17", "WHERE auction = %s AND day = %s", (auction, day))
            d = nexmark_windows.diff_keyed("q17", got, [want[some]], " point lookup")
            if d:
                msgs.append(d)
            lo, hi = auction - 20, auction + 20
            got = view_rows(cur, "q17", "WHERE auction >= %s AND auction < %s", (lo, hi))
            d = nexmark_windows.diff_keyed(
                "q17", got, [r for k, r in want.items() if lo <= k[0] < hi], " range")
            if d:
                msgs.append(d)
        except Exception as e:  # noqa: BLE001 - reported
            msgs.append("q17_view lookups: %s" % e)
    conn.close()
    return "; ".join(msgs)


def main():
    results = sw.checks()
    bids = list(nexmark.bids(SEED, PHASE * (PHASES + 1), 0, DAYS))
    before_wipe = bids[:PHASES * PHASE]
    with SqlServer() as srv:
        create_topic(srv.bootstrap, "bid_days", PARTITIONS)
        conn = srv.connect()
        cur = conn.cursor()
        cur.execute(nexmark.source_sql("bid_days", "bid_days"))
        created = {q: sw.execute(cur, nexmark.sink_sql(q, "bid_days")) for q in QUERIES}
        views = {q: sw.execute(cur, nexmark.view_sql(q, "bid_days")) for q in QUERIES}
        conn.close()
        t0 = time.monotonic()
        if all(created.values()):
            results.run("sinks", lambda: "no sink created: %s" % created)
        elif results.run("kills", produce_with_kills, srv, bids):
            results.run("sinks after kills", check_sinks, srv.bootstrap, created, before_wipe,
                        "after kills")
        print("%.1fs" % (time.monotonic() - t0), flush=True)
        if results.run("wipe sql-state", wipe_state_and_restart, srv):
            sw.produce_bids(srv.bootstrap, "bid_days", bids[PHASES * PHASE:], PARTITIONS,
                            first=PHASES * PHASE)
            results.run("sinks after wiping sql-state", check_sinks, srv.bootstrap, created,
                        bids, "after the wipe")
        results.run("views", check_views, srv, views, bids)
        results.stop_server(srv)
    results.finish()


if __name__ == "__main__":
    main()
