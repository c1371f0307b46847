"""A group whose count(DISTINCT ...) state outgrows one Kafka record: q15
(daily statistics with count(DISTINCT bidder) and count(DISTINCT auction),
each also per price rank; upsert sink, exactly once) over 60,000 bids of
one day in which every bid has its own auction and bidder. The day's group
then holds about 240,000 distinct values, several MB, more than the
broker's default maximum record size (1 MB), so its state cannot be one
changelog record. The sink must still converge to the batch result (and
the query must not retry forever)."""

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

BIDS = int(os.environ.get("SPATE_SQL_DISTINCT_BIDS", "60000"))
SEED = 15
PARTITIONS = 3
DEADLINE_S = 60.0


def distinct_bids():
    """Generated bids (1 ms apart: all on 2015-07-15, but for the first
    ones' delay) with auction and bidder unique per bid."""
    out = []
    for i, b in enumerate(nexmark.bids(SEED, BIDS)):
        b = dict(b)
        b["auction"] = 10_000_000 + i
        b["bidder"] = 20_000_000 + i
        out.append(b)
    return out


def check_q15(srv, created, bids):
    if created:
        return "CREATE SINK failed: %s" % created
    want = nexmark_windows.reference_rows("q15", bids)
    msg = sw.check_upsert(srv.bootstrap, "q15", "q15_out", want, DEADLINE_S)
    if msg:
        errors = sorted({line.split("] ", 1)[-1] for line in srv.output
                         if "warning" in line or "error" in line})
        msg += "; server warnings/errors: %s" % errors[:5]
    return msg


def main():
    results = sw.checks()
    bids = distinct_bids()
    with SqlServer() as srv:
        create_topic(srv.bootstrap, "bid", PARTITIONS)
        t0 = time.monotonic()
        sw.produce_bids(srv.bootstrap, "bid", bids, PARTITIONS)
        print("produced %d bids in %.1fs" % (len(bids), time.monotonic() - t0), flush=True)
        conn = srv.connect()
        cur = conn.cursor()
        cur.execute(nexmark.SOURCE_SQL)
        created = sw.execute(cur, nexmark.sink_sql("q15"))
        conn.close()
        results.run("q15 with large distinct state", check_q15, srv, created, bids)
        results.stop_server(srv)
    results.finish()


if __name__ == "__main__":
    main()
