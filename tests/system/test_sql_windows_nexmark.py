"""Nexmark's window and aggregate queries end to end (bids only): q5 (HOP),
q11 (SESSION), q12 (TUMBLE over processing time), q14 (filtered
calculation), q15, q16, q17 (daily statistics with count(DISTINCT ...)
FILTER (WHERE ...)) as sinks over 3-partition topics of generated bids
(tests/support/nexmark.py): `bid` at 10 ms of event time per bid (q5, q11,
q12) and `bid_days` at 15 s per bid, 3.5 days (q14..q17). Half the bids are
produced before the sinks are created, half after, then one flush bid per
partition far in the future, so the watermark closes every window of the
generated bids.

Checks (each reported on its own), against the batch references of
tests/support/nexmark_windows.py:
- before the flush bids, once q5 and q11 consumed every bid: their sinks
  hold exactly the windows that the watermark (the minimum over partitions
  of the largest event time, minus 4 s) closed;
then over everything produced:
- EMIT ON WINDOW CLOSE sinks (q5, q11): the read_committed topic holds
  exactly the rows of the closed windows, each once (multiset);
- upsert sinks (q15, q16, q17): the topic compacted (latest value per JSON
  key, null deletes) converges to the batch result; every key is the
  primary key's JSON object and matches its value;
- q14 (append): the filtered rows as a multiset;
- q12: per bidder, the counts over all its processing-time windows sum to
  its batch count; windows are 2 s long and aligned to the epoch;
- the same SELECTs (not q12) as ad-hoc queries over the stored history
  return the batch rows (every window, closed or not) as a multiset."""

import collections
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, os.path.join(here, "..", "support"))
import nexmark  # noqa: E402
import nexmark_windows  # noqa: E402
import sql_windows as sw  # noqa: E402
from spate_broker import create_topic  # noqa: E402
from spate_sql import SqlServer  # noqa: E402

BIDS = int(os.environ.get("SPATE_SQL_WINDOWS_BIDS", "20000"))
SEED = 11
PARTITIONS = 3
FAST = nexmark.stream_options(ms_per_event=10)
DAYS = nexmark.stream_options(ms_per_event=15_000)
DEADLINE_S = 60.0
# EMIT ON WINDOW CLOSE queries also checked before the flush bids.
EARLY = ["q5", "q11"]
# Query -> source; sink topics are <query>_out.
QUERIES = {"q5": "bid", "q11": "bid", "q12": "bid",
           "q14": "bid_days", "q15": "bid_days", "q16": "bid_days", "q17": "bid_days"}


def check_q12(bootstrap, bids):
    """Per bidder, the q12 windows' counts (latest per key) sum to the batch
    count; every window is [k * 2 s, (k + 1) * 2 s)."""
    want = nexmark_windows.q12_bidder_counts(bids)
    view = sw.upsert_view("q12")
    state = {}
    with sw.topic_reader(bootstrap, "q12_out", DEADLINE_S) as r:
        def done(rd):
            view.update(rd.records)
            got = collections.Counter()
            for row in view.latest.values():
                got[row["bidder"]] += row["bid_count"]
            state["got"] = got
            return not view.problems and got == want
        ok = r.read_until(done, DEADLINE_S)
    if view.problems:
        return "q12_out: %d malformed records, e.g. %s" % (len(view.problems), view.problems[:3])
    for row in view.latest.values():
        start = nexmark.time_us(row["window_start"])
        end = nexmark.time_us(row["window_end"])
        if end - start != nexmark_windows.Q12_SIZE_US or start % nexmark_windows.Q12_SIZE_US:
            return "q12 window [%s, %s) is not an epoch-aligned 2 s window" % (
                row["window_start"], row["window_end"])
    if ok:
        return ""
    return sw.counter_diff(state["got"], want, "q12 bids per bidder over its windows (%d windows)"
                           % len(view.latest))


def check_query(bootstrap, query, created, bids, watermark):
    if created:
        return "CREATE SINK failed: %s" % created
    topic = query + "_out"
    if query == "q12":
        return check_q12(bootstrap, bids)
    want = nexmark_windows.reference_rows(query, bids, watermark)
    kind, _ = nexmark.SINK_KIND[query]
    if kind == "upsert":
        return sw.check_upsert(bootstrap, query, topic, want, DEADLINE_S)
    return sw.check_append(bootstrap, query, topic, want, DEADLINE_S)


def check_adhoc(cur, query, src, bids):
    """The query's SELECT, ad hoc, equals the batch rows over `bids`."""
    err = sw.execute(cur, nexmark.select_sql(query, src))
    if err:
        return err
    cols = [d[0] for d in cur.description]
    got = [dict(zip(cols, r)) for r in cur.fetchall()]
    for row in got:
        for c in ("window_start", "window_end", "date_time"):
            if c in row and row[c] is not None and not isinstance(row[c], str):
                row[c] = row[c].strftime("%Y-%m-%d %H:%M:%S.%f")
    want = nexmark_windows.reference_rows(query, bids)
    if nexmark.SINK_KIND[query][0] == "upsert":
        keyed = {nexmark_windows.key_of(query, r): r for r in got}
        if len(keyed) != len(got):
            return "%s ad hoc: %d rows but %d distinct keys" % (query, len(got), len(keyed))
        return nexmark_windows.diff_keyed(query, keyed, want, " ad hoc")
    return nexmark_windows.diff_multiset(query, got, want, " ad hoc")


def watermark_of(bids):
    """The watermark once `bids` went through: the minimum over partitions
    (bid i in partition i % PARTITIONS) of the largest event time minus the
    delay."""
    high = [max(nexmark.bid_us(b) for b in bids[p::PARTITIONS]) for p in range(PARTITIONS)]
    return min(high) - nexmark.WATERMARK_DELAY_MS * 1000


def check_before_flush(bootstrap, query, created, bids):
    """Once the query consumed every bid (and no flush yet), its EMIT ON
    WINDOW CLOSE sink holds exactly the windows the watermark closed: none
    still open, none missing. A window ending exactly at the watermark may
    count as either."""
    if created:
        return "CREATE SINK failed: %s" % created
    sw.wait_consumed(bootstrap, [query], QUERIES[query], DEADLINE_S)
    wm = watermark_of(bids)
    closed = nexmark_windows.reference_rows(query, bids, wm)
    msg = sw.check_append(bootstrap, query, query + "_out", closed, DEADLINE_S)
    if msg:
        strictly = nexmark_windows.reference_rows(query, bids, wm - 1)
        if len(strictly) != len(closed) and \
                not sw.check_append(bootstrap, query, query + "_out", strictly, 5.0):
            return ""
        msg += " (watermark %s)" % nexmark.us_text(wm)
    return msg


def main():
    results = sw.checks()
    with SqlServer() as srv:
        streams = {"bid": (list(nexmark.bids(SEED, BIDS, 0, FAST)), False),
                   "bid_days": (list(nexmark.bids(SEED, BIDS, 0, DAYS)), True)}
        half = BIDS // 2
        for topic, (bids, _) in streams.items():
            create_topic(srv.bootstrap, topic, PARTITIONS)
            sw.produce_bids(srv.bootstrap, topic, bids[:half], PARTITIONS)
        conn = srv.connect()
        cur = conn.cursor()
        for topic in streams:
            cur.execute(nexmark.source_sql(topic, topic))
        created = {q: sw.execute(cur, nexmark.sink_sql(q, src)) for q, src in QUERIES.items()}
        t0 = time.monotonic()
        for topic, (bids, days) in streams.items():
            sw.produce_bids(srv.bootstrap, topic, bids[half:], PARTITIONS, first=half)
        for q in EARLY:
            results.run(q + " before the flush", check_before_flush, srv.bootstrap, q,
                        created[q], streams[QUERIES[q]][0])
        final = {}
        for topic, (bids, days) in streams.items():
            flush, watermark = sw.produce_flush(srv.bootstrap, topic, bids, PARTITIONS, days)
            final[topic] = (bids + flush, watermark)
        print("produced %d bids per topic (%d before the sinks), flushed; %.1fs"
              % (BIDS, half, time.monotonic() - t0), flush=True)
        for q, src in QUERIES.items():
            bids, watermark = final[src]
            results.run(q, check_query, srv.bootstrap, q, created[q], bids, watermark)
        for q, src in QUERIES.items():
            if q != "q12":
                results.run(q + " ad hoc", check_adhoc, cur, q, src, final[src][0])
        conn.close()
        results.stop_server(srv)
    results.finish()


if __name__ == "__main__":
    main()
