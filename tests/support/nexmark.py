#!/usr/bin/env python3
"""Nexmark bids for Spate's SQL tests and benchmarks.

- bids(seed, count, start=0, opts=None): deterministic bid events (dicts
  with auction, bidder, price, channel, url, date_time, extra). Event i
  depends only on (seed, i, opts), so any range can be generated on its own.
  opts (a stream_options) sets the time scale (ms of event time per event,
  e.g. days for q15..q17) and an out-of-order mode with late events.
- late_flags(bids, partitions) / flush_bid(...) (nexmark_time.py, re-exported
  here): which bids are late when bid i goes to partition i % partitions,
  and an event far in the future whose watermark closes every window of
  the bids before it.
- produce(bootstrap, topic, n, seed): writes n bids as JSON records
  (confluent_kafka, batched); imported lazily, the rest needs only stdlib.
- SOURCE_SQL / source_sql(), QUERIES, sink_sql(): the SQL text that tests
  and benchmarks share (the syntax pinned for Spate's engine).
- reference(query, bids): the batch result of a stateless Nexmark query
  (q0, q1, q2, q21, q22 as RisingWave's Nexmark defines them), rows as dicts
  keyed by column; NUMERIC values as decimal.Decimal, timestamps as strings.
  The aggregate and window queries (q5, q11, q12, q14..q17) and their batch
  references: nexmark_windows.py.
- decode_sink_row(bytes) / row_key(query, row): how a sink's JSON row is
  read back and compared (Decimal for numbers with a fraction, timestamps
  normalised to microseconds after checking the documented format).

Command line:
  nexmark.py produce --bootstrap HOST:PORT --topic bid --count N --seed S [--jobs J]
      [--ms-per-event MS] [--partitions P]
  nexmark.py dump --count N --seed S [--ms-per-event MS]  (JSON lines on stdout, e.g. for kcat)
  nexmark.py sql [QUERY...]                 (the CREATE SOURCE / SINK statements)
"""

import argparse
import json
import random
import re
import sys
import time
from decimal import Decimal

# Event time helpers, late flags and flush bids, re-exported (nexmark_time.py).
from nexmark_time import (FLUSH_AUCTION, FLUSH_BIDDER, WATERMARK_DELAY_MS,  # noqa: F401
                          bid_us, flush_bid, late_flags, time_us, us_text)

# Events of one block share one random stream seeded by (seed, block).
BLOCK = 10_000
FIRST_AUCTION = 1000
FIRST_BIDDER = 2000
# 2015-07-15 00:00:00 UTC, Nexmark's customary base time, in ms.
BASE_TIME_MS = 1_436_918_400_000
MS_PER_EVENT = 1
# Event times run up to this much behind the ordered time: well inside the
# source's 4 s watermark delay, so no bid is late unless stream_options
# asks for late ones.
MAX_DELAY_MS = 1500
HOT_CHANNELS = ["Google", "Facebook", "Baidu", "Apple"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Characters JSON must escape or that are multi-byte, mixed into `extra`.
ODD_EXTRAS = ['say "hi"', "back\\slash", "caf\u00e9 \u4e2d\u6587", "tab\there", "new\nline"]

BID_COLUMNS = ["auction", "bidder", "price", "channel", "url", "date_time", "extra"]


# Path parts and `extra` values come from fixed pools (generation speed).
_pool_rng = random.Random(20150715)
WORDS = ["".join(_pool_rng.choice(LETTERS) for _ in range(_pool_rng.randint(3, 6)))
         for _ in range(4096)]
EXTRAS = ["".join(_pool_rng.choice(LETTERS) for _ in range(_pool_rng.randint(4, 12)))
          for _ in range(4096)]


def _word(rng):
    return WORDS[int(rng.random() * 4096)]


def _url(rng, channel_id):
    """Nexmark-like item URL: usually three directory parts (q22), sometimes
    fewer; channel_id appended when given (q21)."""
    shape = rng.random()
    if shape < 0.8:
        path = "%s/%s/%s/" % (_word(rng), _word(rng), _word(rng))
    elif shape < 0.9:
        path = _word(rng) + "/"
    else:
        path = ""
    url = "https://www.nexmark.com/" + path + "item.htm?query=1"
    if channel_id is not None:
        url += "&channel_id=" + str(channel_id)
    return url


def _channel(rng):
    """(channel, url). Hot channels in varying case; others `channel-N`,
    whose URL carries channel_id most of the time."""
    r = rng.random()
    if r < 0.5:
        name = HOT_CHANNELS[int(r * 8)]
        if rng.random() < 0.1:
            name = name.upper()
        return name, _url(rng, None)
    number = int(rng.random() * 10_000)
    channel_id = 1_000_000 + int(rng.random() * 9_000_000) if r < 0.9 else None
    return "channel-%d" % number, _url(rng, channel_id)


def _extra(rng):
    r = rng.random()
    if r < 0.05:
        return ODD_EXTRAS[int(r * 100) % len(ODD_EXTRAS)]
    if r < 0.1:
        return ""
    return EXTRAS[int(rng.random() * 4096)]


def _time_text(ms, cache={}):
    sec, frac = divmod(ms, 1000)
    prefix = cache.get(sec)
    if prefix is None:
        if len(cache) > 4096:
            cache.clear()
        prefix = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec))
        cache[sec] = prefix
    return "%s.%03d" % (prefix, frac)


class stream_options:
    """How a bid stream's event times run.

    ms_per_event: event time between consecutive bids (the time scale):
      1 = 1000 bids per second of event time; 15000 spreads 20,000 bids over
      3.5 days (q15..q17 group by day).
    Out-of-order mode (late_every > 0): bid i with i >= late_start and
      i % late_every == late_every // 2 is moved back by late_min_ms plus
      (i * 7919) % late_spread_ms, i.e. far behind the watermark delay, so it
      is late (late_flags) when bids go to partition i % partitions with
      late_every not a multiple of the partition count. Every other field of
      a bid is the same as without the mode.
    """

    def __init__(self, ms_per_event=MS_PER_EVENT, late_every=0, late_start=0, late_min_ms=0,
                 late_spread_ms=1):
        self.ms_per_event = ms_per_event
        self.late_every = late_every
        self.late_start = late_start
        self.late_min_ms = late_min_ms
        self.late_spread_ms = max(1, late_spread_ms)

    def __repr__(self):
        return "stream_options(%s)" % ", ".join("%s=%r" % kv for kv in sorted(vars(self).items()))

    def moved_late(self, i):
        """Whether bid i is one the out-of-order mode moves back."""
        return (self.late_every > 0 and i >= self.late_start
                and i % self.late_every == self.late_every // 2)

    def event_ms(self, i, delay_ms):
        ms = BASE_TIME_MS + i * self.ms_per_event - delay_ms
        if self.moved_late(i):
            ms -= self.late_min_ms + (i * 7919) % self.late_spread_ms
        return ms


DEFAULT_OPTIONS = stream_options()


def _bid(rng, i, opts=DEFAULT_OPTIONS):
    rnd = rng.random
    # Bids go mostly to recent ("hot") auctions, as in Nexmark.
    latest = FIRST_AUCTION + i // 10
    if rnd() < 0.9:
        auction = max(FIRST_AUCTION, latest - int(rnd() * 100))
    else:
        auction = FIRST_AUCTION + int(rnd() * (latest - FIRST_AUCTION + 1))
    bidder = FIRST_BIDDER + int(rnd() * (i // 20 + 100))
    price = 1 + int(rnd() * 10_000) if rnd() < 0.9 else 10_000 + int(rnd() * 9_990_000)
    channel, url = _channel(rng)
    ms = opts.event_ms(i, int(rnd() * MAX_DELAY_MS))
    return {"auction": auction, "bidder": bidder, "price": price, "channel": channel,
            "url": url, "date_time": _time_text(ms), "extra": _extra(rng)}


def bids(seed, count, start=0, opts=None):
    """Yields bids start .. start+count-1 of the stream `seed` (opts: a
    stream_options; None: 1 ms per event, no late bids)."""
    opts = opts or DEFAULT_OPTIONS
    i = start
    end = start + count
    while i < end:
        block = i // BLOCK
        rng = random.Random(seed * 1_000_003 + block)
        block_start = block * BLOCK
        for j in range(block_start, i):  # skip to i inside the block
            _bid(rng, j, opts)
        for j in range(i, min(end, block_start + BLOCK)):
            yield _bid(rng, j, opts)
        i = min(end, block_start + BLOCK)


_json_strings = {}


def _json_str(s):
    out = _json_strings.get(s)
    if out is None:
        out = json.dumps(s, ensure_ascii=False)
        if len(_json_strings) < 100_000:
            _json_strings[s] = out
    return out


def encode(bid):
    """The bid as compact JSON (UTF-8), field order as BID_COLUMNS. URLs,
    channels and times never need escaping; `extra` may."""
    return ('{"auction":%d,"bidder":%d,"price":%d,"channel":"%s","url":"%s",'
            '"date_time":"%s","extra":%s}' % (
                bid["auction"], bid["bidder"], bid["price"], bid["channel"], bid["url"],
                bid["date_time"], _json_str(bid["extra"]))).encode()


def _produce_range(job):
    return produce(*job)


def produce(bootstrap, topic, n, seed, start=0, config=None, jobs=1, opts=None,
            partitions=None):
    """Writes bids start .. start+n-1 of stream `seed` (opts: stream_options)
    to `topic` as JSON values without keys; raises if any is not
    acknowledged. Returns n. partitions=P sends bid i to partition i % P
    (in order: idempotent producer), else the partitioner picks. jobs > 1
    splits the range over that many processes (record order across them is
    then arbitrary)."""
    if jobs > 1 and n >= jobs:
        import multiprocessing
        bounds = [start + n * k // jobs for k in range(jobs + 1)]
        ranges = [(bootstrap, topic, bounds[k + 1] - bounds[k], seed, bounds[k], config, 1, opts,
                   partitions) for k in range(jobs)]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return sum(pool.map(_produce_range, ranges))
    items = ((None if partitions is None else (start + k) % partitions, encode(b))
             for k, b in enumerate(bids(seed, n, start, opts)))
    produce_encoded(bootstrap, topic, items, config, ordered=partitions is not None)
    return n


def produce_encoded(bootstrap, topic, items, config=None, ordered=False):
    """Produces (partition or None, value bytes) pairs to `topic`, acks=all;
    ordered: idempotent, so each partition keeps the order of `items`.
    Raises if any record is not acknowledged; returns the count."""
    from confluent_kafka import Producer
    conf = {"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 20,
            "batch.size": 1_000_000, "queue.buffering.max.messages": 500_000,
            "queue.buffering.max.kbytes": 1_048_576}
    if ordered:
        conf["enable.idempotence"] = True
    conf.update(config or {})
    p = Producer(conf)
    errors = []

    def on_delivery(err, _msg):
        if err is not None:
            errors.append(err)

    k = 0
    for partition, value in items:
        kw = {"on_delivery": on_delivery}
        if partition is not None:
            kw["partition"] = partition
        while True:
            try:
                p.produce(topic, value=value, **kw)
                break
            except BufferError:
                p.poll(0.05)
        if k % 10_000 == 0:
            p.poll(0)
        k += 1
    left = p.flush(120)
    if left or errors:
        raise RuntimeError("produce to %s: %d undelivered, %d errors, first %s"
                           % (topic, left, len(errors), errors[:1]))
    return k


# --- SQL -------------------------------------------------------------------

def source_sql(name="bid", topic="bid"):
    return ("CREATE SOURCE %s (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, "
            "url VARCHAR, date_time TIMESTAMP, extra VARCHAR, "
            "WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) "
            "WITH (topic = '%s', format = 'json', scan_startup_mode = 'earliest')"
            % (name, topic))


SOURCE_SQL = source_sql()

Q2_MODULUS = 123
_CHANNEL_ID_RE = "channel_id=([^&]*)"

# SELECT bodies over the source `{src}`.
QUERIES = {
    "q0": "SELECT auction, bidder, price, channel, url, date_time, extra FROM {src}",
    "q1": "SELECT auction, bidder, 0.908 * price AS price, date_time FROM {src}",
    "q2": "SELECT auction, price FROM {src} WHERE auction %% %d = 0" % Q2_MODULUS,
    "q21": ("SELECT auction, bidder, price, channel, "
            "CASE lower(channel) WHEN 'apple' THEN '0' WHEN 'google' THEN '1' "
            "WHEN 'facebook' THEN '2' WHEN 'baidu' THEN '3' "
            "ELSE substring(url from '" + _CHANNEL_ID_RE + "') END AS channel_id "
            "FROM {src} WHERE lower(channel) IN ('apple', 'google', 'facebook', 'baidu') "
            "OR substring(url from '" + _CHANNEL_ID_RE + "') IS NOT NULL"),
    "q22": ("SELECT auction, bidder, price, channel, split_part(url, '/', 4) AS dir1, "
            "split_part(url, '/', 5) AS dir2, split_part(url, '/', 6) AS dir3 FROM {src}"),
}

# q15..q17's price ranks (RisingWave's Nexmark).
RANKS = [("rank1", "price < 10000"), ("rank2", "price >= 10000 AND price < 1000000"),
         ("rank3", "price >= 1000000")]
DAY = "to_char(date_time, 'YYYY-MM-DD')"


def _rank_stats():
    """q15/q16's twelve statistics: bids, distinct bidders, distinct auctions,
    each in total and per price rank."""
    out = ["count(*) AS total_bids"]
    out += ["count(*) FILTER (WHERE %s) AS %s_bids" % (cond, r) for r, cond in RANKS]
    for what, col in (("bidders", "bidder"), ("auctions", "auction")):
        out.append("count(DISTINCT %s) AS total_%s" % (col, what))
        out += ["count(DISTINCT %s) FILTER (WHERE %s) AS %s_%s" % (col, cond, r, what)
                for r, cond in RANKS]
    return ", ".join(out)


RANK_STAT_COLUMNS = (["total_bids"] + ["%s_bids" % r for r, _ in RANKS]
                     + [c for w in ("bidders", "auctions")
                        for c in ["total_" + w] + ["%s_%s" % (r, w) for r, _ in RANKS]])

# Windowed and aggregate queries (bids only). Sizes, chosen for tests over
# tens of thousands of bids: q5 HOP slide 2 s, size 10 s (RisingWave's
# q5 inner aggregate; its join with the per-window maximum is left out);
# q11 SESSION gap 10 s; q12 TUMBLE 2 s over the processing time
# (`_proctime`, TIMESTAMPTZ); q15_window: q15 per TUMBLE day instead of
# per to_char day. q14 is RisingWave's with count_char(extra, 'c') written
# with length/replace; q16's minute is to_char 'HH24:MI' (RisingWave's
# 'HH:mm' is a Flink pattern).
QUERIES.update({
    "q5": ("SELECT auction, count(*) AS num, window_start, window_end "
           "FROM HOP({src}, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) "
           "GROUP BY auction, window_start, window_end"),
    "q11": ("SELECT bidder, count(*) AS bid_count, window_start, window_end "
            "FROM SESSION({src}, date_time, INTERVAL '10' SECOND) "
            "GROUP BY bidder, window_start, window_end"),
    "q12": ("SELECT bidder, count(*) AS bid_count, window_start, window_end "
            "FROM TUMBLE({src}, _proctime, INTERVAL '2' SECOND) "
            "GROUP BY bidder, window_start, window_end"),
    "q14": ("SELECT auction, bidder, 0.908 * price AS price, "
            "CASE WHEN extract(hour FROM date_time) >= 8 AND extract(hour FROM date_time) <= 18 "
            "THEN 'dayTime' "
            "WHEN extract(hour FROM date_time) <= 6 OR extract(hour FROM date_time) >= 20 "
            "THEN 'nightTime' ELSE 'otherTime' END AS bid_time_type, "
            "date_time, extra, length(extra) - length(replace(extra, 'c', '')) AS c_counts "
            "FROM {src} WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000"),
    "q15": "SELECT %s AS day, %s FROM {src} GROUP BY %s" % (DAY, _rank_stats(), DAY),
    "q15_window": ("SELECT window_start, window_end, %s "
                   "FROM TUMBLE({src}, date_time, INTERVAL '1' DAY) "
                   "GROUP BY window_start, window_end" % _rank_stats()),
    "q16": ("SELECT channel, %s AS day, max(to_char(date_time, 'HH24:MI')) AS minute, %s "
            "FROM {src} GROUP BY channel, %s" % (DAY, _rank_stats(), DAY)),
    "q17": ("SELECT auction, %s AS day, count(*) AS total_bids, %s, "
            "min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, "
            "sum(price) AS sum_price FROM {src} GROUP BY auction, %s"
            % (DAY, ", ".join("count(*) FILTER (WHERE %s) AS %s_bids" % (c, r) for r, c in RANKS),
               DAY)),
})

QUERY_COLUMNS = {
    "q0": BID_COLUMNS,
    "q1": ["auction", "bidder", "price", "date_time"],
    "q2": ["auction", "price"],
    "q21": ["auction", "bidder", "price", "channel", "channel_id"],
    "q22": ["auction", "bidder", "price", "channel", "dir1", "dir2", "dir3"],
    "q5": ["auction", "num", "window_start", "window_end"],
    "q11": ["bidder", "bid_count", "window_start", "window_end"],
    "q12": ["bidder", "bid_count", "window_start", "window_end"],
    "q14": ["auction", "bidder", "price", "bid_time_type", "date_time", "extra", "c_counts"],
    "q15": ["day"] + RANK_STAT_COLUMNS,
    "q15_window": ["window_start", "window_end"] + RANK_STAT_COLUMNS,
    "q16": ["channel", "day", "minute"] + RANK_STAT_COLUMNS,
    "q17": ["auction", "day", "total_bids", "rank1_bids", "rank2_bids", "rank3_bids",
            "min_price", "max_price", "avg_price", "sum_price"],
}

# How each query's sink writes: ("append", None) one record per row of an
# append-only query; ("eowc", None) EMIT ON WINDOW CLOSE, each closed
# window's rows once (append); ("upsert", "k1,k2") type = 'upsert' with that
# primary key (the group keys): the latest row per key, deletes as
# tombstones. q12 is an upsert sink: its processing-time windows close
# with the wall clock, while its per-window counts converge regardless.
SINK_KIND = {q: ("append", None) for q in ["q0", "q1", "q2", "q21", "q22", "q14"]}
SINK_KIND.update({
    "q5": ("eowc", None),
    "q11": ("eowc", None),
    "q15_window": ("eowc", None),
    "q12": ("upsert", "bidder,window_start,window_end"),
    "q15": ("upsert", "day"),
    "q16": ("upsert", "channel,day"),
    "q17": ("upsert", "auction,day"),
})


def primary_key(query):
    """The upsert sink's key columns of `query`, or [] for append sinks."""
    kind, key = SINK_KIND[query]
    return key.split(",") if kind == "upsert" else []


def select_sql(query, src="bid"):
    return QUERIES[query].replace("{src}", src)


def sink_sql(query, src="bid", sink=None, topic=None, options=None):
    """CREATE SINK <sink> AS <query over src> [EMIT ON WINDOW CLOSE] WITH
    (topic = '<topic>', format = 'json'[, type = 'upsert', primary_key =
    '...'][, options...]) as SINK_KIND says; sink defaults to the query
    name, topic to <sink>_out; options: more WITH options {name: text}."""
    sink = sink or query
    topic = topic or sink + "_out"
    kind, key = SINK_KIND.get(query, ("append", None))
    with_ = ["topic = '%s'" % topic, "format = 'json'"]
    if kind == "upsert":
        with_ += ["type = 'upsert'", "primary_key = '%s'" % key]
    with_ += ["%s = '%s'" % kv for kv in (options or {}).items()]
    emit = " EMIT ON WINDOW CLOSE" if kind == "eowc" else ""
    return "CREATE SINK %s AS %s%s WITH (%s)" % (sink, select_sql(query, src), emit,
                                                  ", ".join(with_))


def view_sql(query, src="bid", view=None):
    """CREATE MATERIALIZED VIEW <view> AS <query over src> [EMIT ON WINDOW CLOSE]."""
    kind, _ = SINK_KIND.get(query, ("append", None))
    emit = " EMIT ON WINDOW CLOSE" if kind == "eowc" else ""
    return "CREATE MATERIALIZED VIEW %s AS %s%s" % (view or query + "_view", select_sql(query, src),
                                                     emit)


# --- reference results -------------------------------------------------------

_HOT_IDS = {"apple": "0", "google": "1", "facebook": "2", "baidu": "3"}
_channel_id_re = re.compile(_CHANNEL_ID_RE)
_Q1_RATE = Decimal("0.908")


def _split_part(s, sep, n):
    parts = s.split(sep)
    return parts[n - 1] if n <= len(parts) else ""


def _q21(b):
    m = _channel_id_re.search(b["url"])
    cid = _HOT_IDS.get(b["channel"].lower(), m.group(1) if m else None)
    if cid is None:
        return None
    return {"auction": b["auction"], "bidder": b["bidder"], "price": b["price"],
            "channel": b["channel"], "channel_id": cid}


def _reference_row(query, b):
    if query == "q0":
        return dict(b)
    if query == "q1":
        return {"auction": b["auction"], "bidder": b["bidder"],
                "price": _Q1_RATE * b["price"], "date_time": b["date_time"]}
    if query == "q2":
        if b["auction"] % Q2_MODULUS != 0:
            return None
        return {"auction": b["auction"], "price": b["price"]}
    if query == "q21":
        return _q21(b)
    if query == "q22":
        url = b["url"]
        return {"auction": b["auction"], "bidder": b["bidder"], "price": b["price"],
                "channel": b["channel"], "dir1": _split_part(url, "/", 4),
                "dir2": _split_part(url, "/", 5), "dir3": _split_part(url, "/", 6)}
    raise ValueError("unknown query %s" % query)


def reference(query, bid_list):
    """The rows `query` produces from `bid_list`, in input order."""
    out = []
    for b in bid_list:
        row = _reference_row(query, b)
        if row is not None:
            out.append(row)
    return out


# --- reading sink rows back ---------------------------------------------------

_TS_RE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(\+00)?$")
TIMESTAMP_COLUMNS = {"date_time", "window_start", "window_end"}


def normalise_timestamp(text):
    """'YYYY-MM-DD HH:MM:SS[.f...]' (TIMESTAMPTZ: with '+00') -> the same
    instant with six fraction digits, no zone; raises ValueError for
    anything else."""
    m = _TS_RE.match(text)
    if not m:
        raise ValueError("timestamp %r is not YYYY-MM-DD HH:MM:SS[.fff][+00]" % text)
    return "%s.%s" % (m.group(1), (m.group(2) or "").ljust(6, "0"))


def decode_sink_row(value):
    """A sink record's JSON object; numbers with a fraction or exponent
    become Decimal (exact), integers int."""
    return json.loads(value, parse_float=Decimal)


def row_key(query, row):
    """A hashable, comparable form of a row (sink or reference): the values
    in column order; raises if the columns differ from the query's."""
    cols = QUERY_COLUMNS[query]
    if sorted(row.keys()) != sorted(cols):
        raise ValueError("%s row has columns %s, expected %s" % (query, sorted(row), cols))
    out = []
    for c in cols:
        v = row[c]
        if c in TIMESTAMP_COLUMNS and isinstance(v, str):
            v = normalise_timestamp(v)
        elif isinstance(v, (int, Decimal)) and not isinstance(v, bool):
            v = Decimal(v).normalize()
        out.append(v)
    return tuple(out)


# --- command line -------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description="Nexmark bids for Spate tests and benchmarks")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("produce", help="produce JSON bids to a Kafka topic")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", default="bid")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--jobs", type=int, default=1, help="producer processes")
    p.add_argument("--ms-per-event", type=int, default=MS_PER_EVENT,
                   help="event time between bids (time scale)")
    p.add_argument("--partitions", type=int, default=None,
                   help="send bid i to partition i %% P (default: the partitioner)")
    d = sub.add_parser("dump", help="print JSON bids, one per line")
    d.add_argument("--count", type=int, required=True)
    d.add_argument("--seed", type=int, default=1)
    d.add_argument("--start", type=int, default=0)
    d.add_argument("--ms-per-event", type=int, default=MS_PER_EVENT)
    s = sub.add_parser("sql", help="print the CREATE SOURCE and CREATE SINK statements")
    s.add_argument("queries", nargs="*", default=sorted(QUERIES))
    a = ap.parse_args(argv)
    if a.cmd == "produce":
        t0 = time.monotonic()
        produce(a.bootstrap, a.topic, a.count, a.seed, a.start, jobs=a.jobs,
                opts=stream_options(ms_per_event=a.ms_per_event), partitions=a.partitions)
        dt = time.monotonic() - t0
        print("produced %d bids to %s in %.1f s (%.0f/s)" % (a.count, a.topic, dt, a.count / dt),
              file=sys.stderr)
    elif a.cmd == "dump":
        out = sys.stdout.buffer
        for b in bids(a.seed, a.count, a.start, stream_options(ms_per_event=a.ms_per_event)):
            out.write(encode(b) + b"\n")
    else:
        print(SOURCE_SQL + ";")
        for q in a.queries:
            print(sink_sql(q) + ";")
    return 0


if __name__ == "__main__":
    sys.exit(main())
