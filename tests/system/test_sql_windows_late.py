"""Late rows: out-of-order Nexmark bids on 3-partition topics, 2% of them
moved far behind the source's 4 s watermark delay (nexmark.stream_options
out-of-order mode), into q5 (HOP), q11 (SESSION) over `bid` (10 ms per
bid; late bids 65..125 s behind) and q15_window (TUMBLE 1 day) over
`bid_days` (15 s per bid; late bids 21..51 h behind, some into days whose
window is still open), all EMIT ON WINDOW CLOSE.

A bid is late (the reference's definition, nexmark.late_flags) when bid i,
produced to partition i % 3, has an event time below the largest event time
of the earlier bids of its partition minus 4 s. The bids are produced in 4
phases; before each next phase every query has consumed the topic to its
end (its group's committed offsets), so a late bid is also below the
watermark taken as the minimum over partitions, whichever of the two the
engine applies. The first phase has no late bids. A flush bid per partition
then closes every window.

Checks per query: the sink holds exactly the batch rows over the on-time
bids (multiset; late bids never change any window's output), and
`<sink>__late` holds every late bid exactly once, its value the record as
produced, with a non-empty reason header."""

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
from spate_broker import check, create_topic  # noqa: E402
from spate_sql import SqlServer  # noqa: E402

BIDS = int(os.environ.get("SPATE_SQL_WINDOWS_BIDS", "20000"))
PHASES = 4
PHASE = BIDS // PHASES
SEED = 12
PARTITIONS = 3
DEADLINE_S = 60.0


def late_options(ms_per_event, min_extra_ms, spread_ms):
    """Late bids every 50th (not a multiple of the partition count) from
    the second phase, moved back by more than a phase's span."""
    return nexmark.stream_options(ms_per_event=ms_per_event, late_every=50, late_start=PHASE,
                                  late_min_ms=PHASE * ms_per_event + min_extra_ms,
                                  late_spread_ms=spread_ms)


STREAMS = {
    "bid": (late_options(10, 15_000, 60_000), False),
    "bid_days": (late_options(15_000, 600_000, 30 * 3_600_000), True),
}
QUERIES = {"q5": "bid", "q11": "bid", "q15_window": "bid_days"}


def check_sink(bootstrap, query, created, on_time, everything, watermark):
    if created:
        return "CREATE SINK failed: %s" % created
    want = nexmark_windows.reference_rows(query, on_time, watermark)
    msg = sw.check_append(bootstrap, query, query + "_out", want, DEADLINE_S)
    if msg:
        with_late = nexmark_windows.reference_rows(query, everything, watermark)
        if not sw.check_append(bootstrap, query, query + "_out", with_late, 5.0):
            msg += " -- the output equals the batch over all bids: late bids were counted"
    return msg


def check_late_topic(bootstrap, query, created, late_values):
    """`<query>__late` holds late_values (bytes) as a multiset, each record
    with at least one header with a non-empty value."""
    if created:
        return "CREATE SINK failed: %s" % created
    topic = query + "__late"
    want = collections.Counter(late_values)
    with sw.topic_reader(bootstrap, topic, 20.0) as r:
        r.read_until(lambda rd: len(rd.records) >= len(late_values), DEADLINE_S)
        got = collections.Counter(rec[3] for rec in r.records)
        bare = [rec for rec in r.records if not any(v for _, v in rec[4])]
        names = sorted({k for rec in r.records for k, _ in rec[4]})
    msg = sw.counter_diff(got, want, "%s (%d records, %d late bids)"
                          % (topic, len(r.records), len(late_values)))
    if msg:
        return msg
    if bare:
        return "%s: %d records without a reason header, e.g. %r" % (topic, len(bare), bare[0][3])
    print("  %s: %d late bids, headers %s" % (topic, len(late_values), names))
    return ""


def produce_phases(bootstrap, streams, running):
    """Produces the bids in PHASES phases; after each, waits until every
    running query consumed its topic to the end."""
    for k in range(PHASES):
        for t, bids in streams.items():
            sw.produce_bids(bootstrap, t, bids[k * PHASE:(k + 1) * PHASE], PARTITIONS,
                            first=k * PHASE)
        for t in streams:
            sw.wait_consumed(bootstrap, [q for q in running if QUERIES[q] == t], t, DEADLINE_S)


def main():
    results = sw.checks()
    with SqlServer() as srv:
        streams = {t: list(nexmark.bids(SEED, BIDS, 0, o)) for t, (o, _) in STREAMS.items()}
        flags = {t: nexmark.late_flags(b, PARTITIONS) for t, b in streams.items()}
        for t, (o, _) in STREAMS.items():
            wrong = [i for i, f in enumerate(flags[t]) if f != o.moved_late(i)]
            check(not wrong, "generator: bids %s of %s are late by late_flags but not by the "
                     "out-of-order mode (or the reverse)" % (wrong[:5], t))
            create_topic(srv.bootstrap, t, PARTITIONS)
        conn = srv.connect()
        cur = conn.cursor()
        for t in streams:
            cur.execute(nexmark.source_sql(t, t))
        created = {q: sw.execute(cur, nexmark.sink_sql(q, src)) for q, src in QUERIES.items()}
        running = [q for q in QUERIES if not created[q]]
        t0 = time.monotonic()
        results.run("input consumed after each phase", produce_phases, srv.bootstrap, streams,
                    running)
        final = {}
        for t, bids in streams.items():
            flush, watermark = sw.produce_flush(srv.bootstrap, t, bids, PARTITIONS, STREAMS[t][1])
            on_time = [b for b, late in zip(bids, flags[t]) if not late]
            late = [nexmark.encode(b) for b, f in zip(bids, flags[t]) if f]
            final[t] = (on_time + flush, bids + flush, watermark, late)
        print("produced %d bids per topic in %d phases (%s late), flushed; %.1fs"
              % (BIDS, PHASES, {t: len(v[3]) for t, v in final.items()}, time.monotonic() - t0),
              flush=True)
        for q, src in QUERIES.items():
            on_time, everything, watermark, late = final[src]
            results.run(q, check_sink, srv.bootstrap, q, created[q], on_time, everything,
                        watermark)
            results.run(q + "__late", check_late_topic, srv.bootstrap, q, created[q], late)
        conn.close()
        results.stop_server(srv)
    results.finish()


if __name__ == "__main__":
    main()
