#!/usr/bin/env python3
"""Batch references of the Nexmark aggregate and window queries (q5, q11,
q12, q14, q15, q15_window, q16, q17; SQL text in nexmark.py) and the
comparison of a sink's rows with them.

- reference_rows(query, bids, watermark_us=None): the rows the query's
  sink must hold once its input is `bids` (every bid on time): for the
  window queries (EMIT ON WINDOW CLOSE) the rows of the windows whose end
  is at or below `watermark_us` (None: every window), for the others the
  final row of every group. Rows are dicts keyed by column: integers as
  int, NUMERIC as Decimal, timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff'.
  The tests pick watermarks far from any window end (a flush bid), so
  whether a window closes at `watermark == end` or only above never
  matters.
- q12_bidder_counts(bids): q12's check: the number of bids per bidder
  (the sum over its processing-time windows must equal it).
- canonical(query, row): a hashable form (nexmark.row_key, with avg_price
  left out: compared with a tolerance by diff_keyed).
- diff_multiset / diff_keyed: '' when equal, else a message naming what is
  missing, unexpected or different, with examples.

Window semantics (the issue's pinned interface): windows align to the
epoch; HOP(slide, size) windows [s, s + size) for every multiple s of the
slide with s <= t < s + size; SESSION(gap) per GROUP BY key (bidder): a
bid joins the session when its time is below the session's last bid time
plus the gap; window_start is the first bid's time, window_end the last
bid's time plus the gap.
"""

import collections
from decimal import Decimal

import nexmark

SECOND_US = 1_000_000
DAY_US = 86_400 * SECOND_US
Q5_SLIDE_US = 2 * SECOND_US
Q5_SIZE_US = 10 * SECOND_US
Q11_GAP_US = 10 * SECOND_US
Q12_SIZE_US = 2 * SECOND_US
Q14_RATE = Decimal("0.908")
WINDOW_QUERIES = {"q5", "q11", "q15_window"}
AVG_COLUMNS = {"avg_price"}


def _ts(us):
    return nexmark.us_text(us)


def _rank(price):
    if price < 10_000:
        return "rank1"
    return "rank2" if price < 1_000_000 else "rank3"


def _day(us):
    return nexmark.us_text(us)[:10]


class _rank_stats:
    """q15/q16's twelve statistics over a group's bids."""

    def __init__(self):
        self.bids = collections.Counter()
        self.bidders = collections.defaultdict(set)
        self.auctions = collections.defaultdict(set)

    def add(self, b):
        r = _rank(b["price"])
        for k in ("total", r):
            self.bids[k] += 1
            self.bidders[k].add(b["bidder"])
            self.auctions[k].add(b["auction"])

    def columns(self):
        out = {}
        for k in ("total", "rank1", "rank2", "rank3"):
            out["%s_bids" % k] = self.bids[k]
            out["%s_bidders" % k] = len(self.bidders[k])
            out["%s_auctions" % k] = len(self.auctions[k])
        return out


def _q5(bids, watermark):
    counts = collections.Counter()
    for b in bids:
        t = nexmark.bid_us(b)
        s = t - t % Q5_SLIDE_US
        while s > t - Q5_SIZE_US:
            counts[(b["auction"], s)] += 1
            s -= Q5_SLIDE_US
    return [{"auction": a, "num": n, "window_start": _ts(s), "window_end": _ts(s + Q5_SIZE_US)}
            for (a, s), n in counts.items() if watermark is None or s + Q5_SIZE_US <= watermark]


def _q11(bids, watermark):
    times = collections.defaultdict(list)
    for b in bids:
        times[b["bidder"]].append(nexmark.bid_us(b))
    rows = []
    for bidder, ts in times.items():
        ts.sort()
        start, last, n = ts[0], ts[0], 0
        for t in ts + [None]:
            if t is not None and t < last + Q11_GAP_US:
                last, n = t, n + 1
                continue
            end = last + Q11_GAP_US
            if watermark is None or end <= watermark:
                rows.append({"bidder": bidder, "bid_count": n, "window_start": _ts(start),
                             "window_end": _ts(end)})
            if t is not None:
                start, last, n = t, t, 1
    return rows


def _q14(bids):
    rows = []
    for b in bids:
        price = Q14_RATE * b["price"]
        if not (price > 1_000_000 and price < 50_000_000):
            continue
        hour = int(b["date_time"][11:13])
        if 8 <= hour <= 18:
            kind = "dayTime"
        elif hour <= 6 or hour >= 20:
            kind = "nightTime"
        else:
            kind = "otherTime"
        rows.append({"auction": b["auction"], "bidder": b["bidder"], "price": price,
                     "bid_time_type": kind, "date_time": b["date_time"], "extra": b["extra"],
                     "c_counts": b["extra"].count("c")})
    return rows


def _q15(bids, windowed, watermark):
    groups = collections.defaultdict(_rank_stats)
    for b in bids:
        t = nexmark.bid_us(b)
        groups[t - t % DAY_US].add(b)
    rows = []
    for day, st in sorted(groups.items()):
        if windowed:
            if watermark is not None and day + DAY_US > watermark:
                continue
            row = {"window_start": _ts(day), "window_end": _ts(day + DAY_US)}
        else:
            row = {"day": _day(day)}
        row.update(st.columns())
        rows.append(row)
    return rows


def _q16(bids):
    groups = collections.defaultdict(_rank_stats)
    minute = {}
    for b in bids:
        key = (b["channel"], b["date_time"][:10])
        groups[key].add(b)
        m = b["date_time"][11:16]
        if m > minute.get(key, ""):
            minute[key] = m
    rows = []
    for (channel, day), st in groups.items():
        row = {"channel": channel, "day": day, "minute": minute[(channel, day)]}
        row.update(st.columns())
        rows.append(row)
    return rows


def _q17(bids):
    groups = {}
    for b in bids:
        key = (b["auction"], b["date_time"][:10])
        g = groups.get(key)
        p = b["price"]
        if g is None:
            g = groups[key] = {"auction": key[0], "day": key[1], "total_bids": 0, "rank1_bids": 0,
                               "rank2_bids": 0, "rank3_bids": 0, "min_price": p, "max_price": p,
                               "sum_price": 0}
        g["total_bids"] += 1
        g[_rank(p) + "_bids"] += 1
        g["min_price"] = min(g["min_price"], p)
        g["max_price"] = max(g["max_price"], p)
        g["sum_price"] += p
    for g in groups.values():
        g["avg_price"] = Decimal(g["sum_price"]) / Decimal(g["total_bids"])
    return list(groups.values())


def reference_rows(query, bids, watermark_us=None):
    """See the module docstring. q12 has no row reference (processing
    time): q12_bidder_counts."""
    if query == "q5":
        return _q5(bids, watermark_us)
    if query == "q11":
        return _q11(bids, watermark_us)
    if query == "q14":
        return _q14(bids)
    if query in ("q15", "q15_window"):
        return _q15(bids, query == "q15_window", watermark_us)
    if query == "q16":
        return _q16(bids)
    if query == "q17":
        return _q17(bids)
    raise ValueError("no batch reference for %s" % query)


def q12_bidder_counts(bids):
    return collections.Counter(b["bidder"] for b in bids)


# --- comparison -----------------------------------------------------------------

def canonical(query, row):
    """nexmark.row_key of the row, avg columns replaced by None."""
    return nexmark.row_key(query, {c: (None if c in AVG_COLUMNS else v) for c, v in row.items()})


def key_of(query, row):
    """The upsert primary key of a row as canonical values, in key order."""
    cols = nexmark.QUERY_COLUMNS[query]
    full = canonical(query, row)
    return tuple(full[cols.index(k)] for k in nexmark.primary_key(query))


def _close(got, want):
    if got is None or want is None:
        return got is None and want is None
    g, w = Decimal(str(got)), Decimal(want)
    return abs(g - w) <= Decimal("1e-9") * max(abs(w), Decimal(1))


def diff_multiset(query, got_rows, want_rows, label=""):
    """'' when got_rows and want_rows are the same multiset (canonical
    form), else a message with counts and examples."""
    got = collections.Counter(canonical(query, r) for r in got_rows)
    want = collections.Counter(canonical(query, r) for r in want_rows)
    if got == want:
        return ""
    missing = sorted((want - got).elements())
    extra = sorted((got - want).elements())
    return ("%s%s: %d rows, expected %d; %d missing, e.g. %s; %d unexpected, e.g. %s"
            % (query, label, len(got_rows), len(want_rows), len(missing), missing[:3],
               len(extra), extra[:3]))


def diff_keyed(query, got, want_rows, label=""):
    """got: {key tuple: row dict} (an upsert topic compacted; see key_of).
    '' when it holds exactly the keys of want_rows with equal rows (avg
    columns within a relative 1e-9), else a message with examples."""
    want = {key_of(query, r): r for r in want_rows}
    missing = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    different = []
    for k, w in want.items():
        g = got.get(k)
        if g is None:
            continue
        if canonical(query, g) != canonical(query, w) or not all(
                _close(g.get(c), w.get(c)) for c in AVG_COLUMNS if c in w):
            different.append((k, g, w))
    if not (missing or extra or different):
        return ""
    return ("%s%s: %d keys, expected %d; %d missing, e.g. %s; %d unexpected, e.g. %s; "
            "%d different, e.g. %s"
            % (query, label, len(got), len(want), len(missing), sorted(missing)[:3], len(extra),
               sorted(extra)[:3], len(different),
               ["key %s: got %s, want %s" % d for d in different[:2]]))
