"""The oracles of the window tests, without a server: the batch references
of tests/support/nexmark_windows.py and the generator's time scale,
out-of-order mode, late_flags and flush bids (tests/support/nexmark.py) on
hand-made bids whose results are worked out here. A wrong oracle would
make the system tests pass a wrong engine or fail a right one."""

import os
import sys
from decimal import Decimal

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, os.path.join(here, "..", "support"))
import nexmark  # noqa: E402
import nexmark_windows as nw  # noqa: E402
from spate_broker import check  # noqa: E402

S = 1_000_000
T0 = nexmark.time_us("2015-07-15 00:00:00")


def bid(auction, bidder, price, at_us, channel="Google"):
    return {"auction": auction, "bidder": bidder, "price": price, "channel": channel,
            "url": "https://www.nexmark.com/a/b/c/item.htm?query=1",
            "date_time": nexmark.us_text(at_us)[:23], "extra": "cccx"}


def rows(query, bids, watermark=None):
    return sorted(nw.canonical(query, r) for r in nw.reference_rows(query, bids, watermark))


def test_time_text():
    check(nexmark.time_us("1970-01-01 00:00:01.5") == 1_500_000, "fraction")
    check(nexmark.time_us("1970-01-01 00:00:01+00") == S, "TIMESTAMPTZ suffix")
    check(nexmark.time_us("1970-01-01T00:00:01.000001") == S + 1, "T separator")
    check(nexmark.us_text(T0 + 1) == "2015-07-15 00:00:00.000001", nexmark.us_text(T0 + 1))
    check(nexmark.normalise_timestamp("2015-07-15 00:00:00+00") == "2015-07-15 00:00:00.000000",
          "normalise +00")


def test_q5_hop():
    # 2 s slide, 10 s size: a bid at 3.5 s is in the five windows starting
    # at -6, -4, -2, 0, 2 s.
    got = rows("q5", [bid(1, 1, 5, T0 + 3_500_000)])
    starts = sorted(nexmark.time_us(r[2]) - T0 for r in got)
    check(starts == [-6 * S, -4 * S, -2 * S, 0, 2 * S], "q5 windows of one bid: %s" % starts)
    check(all(nexmark.time_us(r[3]) - nexmark.time_us(r[2]) == 10 * S for r in got), "q5 size")
    # Two auctions, two bids of auction 1 in [0, 10 s): counts per window.
    bids = [bid(1, 1, 5, T0), bid(1, 2, 5, T0 + 9_999_000), bid(2, 1, 5, T0 + 1 * S)]
    by = {(r[0], nexmark.time_us(r[2]) - T0): r[1] for r in rows("q5", bids)}
    check(by[(1, 0)] == 2 and by[(2, 0)] == 1 and by[(1, 8 * S)] == 1 and (2, 2 * S) not in by,
          "q5 counts %s" % sorted(by.items()))
    # Only windows ending at or below the watermark.
    closed = rows("q5", bids, T0 + 10 * S)
    check(max(nexmark.time_us(r[3]) for r in closed) == T0 + 10 * S, "q5 watermark")


def test_q11_session():
    # Bidder 1: 0, 5, 14.999 s -> one session [0, 24.999); then 24.999 s
    # (== last + gap: a new session) and 30 s -> [24.999, 40). Bidder 2: a
    # lone bid at 3 s -> [3, 13).
    bids = [bid(1, 1, 5, T0 + t) for t in (0, 5 * S, 14_999_000, 24_999_000, 30 * S)]
    bids.append(bid(1, 2, 5, T0 + 3 * S))
    got = [(r[0], r[1], nexmark.time_us(r[2]) - T0, nexmark.time_us(r[3]) - T0)
           for r in rows("q11", list(reversed(bids)))]
    want = sorted([(1, 3, 0, 24_999_000), (1, 2, 24_999_000, 40 * S), (2, 1, 3 * S, 13 * S)])
    check(sorted(got) == want, "q11 sessions %s, want %s" % (sorted(got), want))
    open_at = rows("q11", bids, T0 + 39 * S)
    check(len(open_at) == 2, "q11: the session ending at 40 s is open at 39 s: %s" % open_at)


def test_daily_and_q14():
    day = 86_400 * S
    bids = [bid(1, 1, 100, T0 + 8 * 3600 * S), bid(2, 1, 20_000, T0 + 19 * 3600 * S),
            bid(2, 2, 2_000_000, T0 + 7 * 3600 * S, "Apple"),
            bid(1, 3, 100, T0 + day + 5 * S)]
    q15 = {r["day"]: r for r in nw.reference_rows("q15", bids)}
    d = q15["2015-07-15"]
    check((d["total_bids"], d["rank1_bids"], d["rank2_bids"], d["rank3_bids"]) == (3, 1, 1, 1),
          "q15 bids %s" % d)
    check((d["total_bidders"], d["rank2_bidders"], d["total_auctions"], d["rank1_auctions"])
          == (2, 1, 2, 1), "q15 distinct %s" % d)
    check(q15["2015-07-16"]["total_bids"] == 1 and len(q15) == 2, "q15 days %s" % sorted(q15))
    w = nw.reference_rows("q15_window", bids, T0 + day)
    check(len(w) == 1 and w[0]["window_start"] == "2015-07-15 00:00:00.000000"
          and w[0]["total_bids"] == 3, "q15_window closed days %s" % w)
    q16 = {(r["channel"], r["day"]): r for r in nw.reference_rows("q16", bids)}
    check(q16[("Google", "2015-07-15")]["minute"] == "19:00"
          and q16[("Google", "2015-07-15")]["total_bids"] == 2, "q16 %s" % q16)
    q17 = {(r["auction"], r["day"]): r for r in nw.reference_rows("q17", bids)}
    a2 = q17[(2, "2015-07-15")]
    check((a2["min_price"], a2["max_price"], a2["sum_price"], a2["avg_price"])
          == (20_000, 2_000_000, 2_020_000, Decimal(1_010_000)), "q17 %s" % a2)
    q14 = nw.reference_rows("q14", bids)
    check(len(q14) == 1 and q14[0]["price"] == Decimal("1816000.000")
          and q14[0]["bid_time_type"] == "otherTime" and q14[0]["c_counts"] == 3, "q14 %s" % q14)


def test_stream_options_and_late():
    fast = list(nexmark.bids(5, 3000, 0, nexmark.stream_options(ms_per_event=10)))
    span = nexmark.bid_us(fast[-1]) - nexmark.bid_us(fast[0])
    check(29 * S - 2 * S <= span <= 30 * S + 2 * S, "10 ms per bid: 3000 bids span %d us" % span)
    plain = list(nexmark.bids(5, 3000))
    check([b["auction"] for b in plain] == [b["auction"] for b in fast], "time scale changes ids")
    o = nexmark.stream_options(ms_per_event=10, late_every=50, late_start=1000, late_min_ms=20_000,
                               late_spread_ms=5_000)
    late = list(nexmark.bids(5, 3000, 0, o))
    flags = nexmark.late_flags(late, 3)
    want = [o.moved_late(i) for i in range(3000)]
    check(flags == want and sum(want) == 40, "late flags: %d flagged, %d moved"
          % (sum(flags), sum(want)))
    check(not any(nexmark.late_flags(fast, 3)), "no late bids without the out-of-order mode")
    # A bid just 4 s behind its partition's largest time is on time; more is late.
    edge = [bid(1, 1, 1, T0 + 10 * S), bid(1, 1, 1, T0 + 6 * S), bid(1, 1, 1, T0 + 6 * S - 1)]
    check(nexmark.late_flags(edge, 1) == [False, False, True], "the 4 s boundary")
    check(nexmark.late_flags(edge, 3) == [False, False, False], "other partitions")
    f = nexmark.flush_bid(nexmark.bid_us(late[-1]), days=True)
    check(nexmark.bid_us(f) - 4 * S > nexmark.bid_us(late[-1]) + 86_400 * S, "flush closes days")


def main():
    for name, fn in sorted(globals().items()):
        if name.startswith("test_") and callable(fn):
            fn()
            print("PASS %s" % name)
    print("ok")


if __name__ == "__main__":
    main()
