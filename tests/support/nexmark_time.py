"""Event time of Nexmark bids (tests/support/nexmark.py re-exports all of
this): the text <-> microseconds conversions of bid times, which bids are
late under the per-partition watermark definition, and flush bids whose
watermark closes every earlier window. Standard library only."""

import calendar
import re
import time

# The sources' watermark delay (nexmark.source_sql's WATERMARK clause).
WATERMARK_DELAY_MS = 4000
# Flush events (flush_bid) use ids no generated bid has.
FLUSH_AUCTION = 999
FLUSH_BIDDER = 1999


_TEXT_TIME_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?"
                           r"(?:\+00(?::?00)?|Z)?$")


def time_us(text, cache={}):
    """Microseconds since the epoch of 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC;
    also with 'T', and with '+00' / '+00:00' / 'Z' as TIMESTAMPTZ is
    written); raises ValueError for anything else."""
    m = _TEXT_TIME_RE.match(text)
    if not m:
        raise ValueError("timestamp %r is not YYYY-MM-DD HH:MM:SS[.ffffff][+00]" % text)
    key = text[:19]
    sec = cache.get(key)
    if sec is None:
        if len(cache) > 100_000:
            cache.clear()
        sec = calendar.timegm(tuple(int(g) for g in m.groups()[:6]) + (0, 0, 0))
        cache[key] = sec
    frac = m.group(7) or ""
    return sec * 1_000_000 + int(frac.ljust(6, "0") or 0)


def us_text(us):
    """Microseconds since the epoch as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC)."""
    sec, frac = divmod(us, 1_000_000)
    return "%s.%06d" % (time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec)), frac)


def bid_us(bid):
    return time_us(bid["date_time"])


def late_flags(bid_list, partitions, delay_ms=WATERMARK_DELAY_MS, first=0):
    """One flag per bid: late when bid first+k goes to partition
    (first+k) % partitions, i.e. its event time is below the largest event
    time of the bids before it in its partition minus the watermark delay."""
    high = {}
    out = []
    delay = delay_ms * 1000
    for k, b in enumerate(bid_list):
        p = (first + k) % partitions
        t = bid_us(b)
        h = high.get(p)
        out.append(h is not None and t < h - delay)
        if h is None or t > h:
            high[p] = t
    return out


def flush_bid(after_us, days=False):
    """A bid far enough after `after_us` (the largest event time so far)
    that its watermark closes every window of the earlier bids (q15's
    daily windows too when `days`): FLUSH_AUCTION / FLUSH_BIDDER, price 1,
    channel 'flush'. Produce one to every partition (the watermark is the
    minimum over partitions)."""
    day = 86_400_000_000
    if days:
        t = (after_us // day + 3) * day + day // 2
    else:
        t = after_us + 3_600_000_000
    return {"auction": FLUSH_AUCTION, "bidder": FLUSH_BIDDER, "price": 1, "channel": "flush",
            "url": "https://www.nexmark.com/flush/item.htm?query=1",
            "date_time": us_text(t)[:23], "extra": "flush"}
