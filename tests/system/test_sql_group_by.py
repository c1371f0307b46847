"""Ad-hoc GROUP BY over the PostgreSQL protocol: Nexmark bids in a
two-partition topic (tests/support/nexmark.py), a JSON source created
through psycopg2, and grouped queries with every aggregate function,
DISTINCT, FILTER, HAVING, ordinals and aggregates in ORDER BY, each compared
with the same computation in Python: counts, sums, extremes and string
results exactly; avg and var_samp as the exact quotient rounded at the
scale Spate returned; stddev within one unit of its last digit. Then the grouping error
(SQLSTATE 42803 and its position) and the one row of an ungrouped aggregate
over no rows."""

import collections
import math
import os
import sys
from decimal import ROUND_HALF_UP, Decimal, getcontext
from fractions import Fraction

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, os.path.join(here, "..", "support"))
import nexmark  # noqa: E402
import psycopg2  # noqa: E402
from spate_broker import check, create_topic  # noqa: E402
from spate_sql import SqlServer  # noqa: E402

BIDS = int(os.environ.get("SPATE_SQL_TEST_BIDS", "20000"))
SEED = 11
getcontext().prec = 60  # exact quotients to compare with 38-digit results


def by(rows, key):
    groups = collections.defaultdict(list)
    for b in rows:
        groups[key(b)].append(b)
    return groups


def rounded(frac, like):
    """`frac` rounded half away from zero at the scale of Decimal `like`."""
    exp = like.as_tuple().exponent
    q = Decimal(frac.numerator) / Decimal(frac.denominator) if frac.denominator != 1 \
        else Decimal(frac.numerator)
    return q.quantize(Decimal(1).scaleb(exp), rounding=ROUND_HALF_UP)


def exact_quotient(got, frac, what):
    # Decimal division above runs at 28 digits: enough for the 16-20
    # significant digits these results have.
    check(got == rounded(frac, got), "%s: got %s, exact %s" % (what, got, float(frac)))
    check(-got.as_tuple().exponent >= 16 or abs(got) >= 1,
          "%s: %s has fewer than 16 significant digits" % (what, got))


def query(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


def check_per_auction(cur, bids):
    rows = query(cur, "SELECT auction, count(*), sum(price), min(price), max(price), avg(price), "
                      "count(DISTINCT bidder) FROM bid GROUP BY auction")
    want = by(bids, lambda b: b["auction"])
    check(len(rows) == len(want), "%d auctions, expected %d" % (len(rows), len(want)))
    for auction, count, total, lo, hi, avg, bidders in rows:
        prices = [b["price"] for b in want[auction]]
        check((count, total, lo, hi) == (len(prices), sum(prices), min(prices), max(prices)),
              "auction %d: %s" % (auction, (count, total, lo, hi)))
        check(bidders == len({b["bidder"] for b in want[auction]}), "auction %d bidders" % auction)
        exact_quotient(avg, Fraction(sum(prices), len(prices)), "avg for auction %d" % auction)
    print("per auction: %d groups match" % len(rows))


def check_channel_statistics(cur, bids):
    """Nexmark q15/q16 style: DISTINCT and FILTER per channel."""
    rows = query(cur, "SELECT channel, count(*) AS total, "
                      "count(*) FILTER (WHERE price < 10000) AS rank1, "
                      "count(DISTINCT bidder) AS bidders, "
                      "count(DISTINCT bidder) FILTER (WHERE price >= 10000) AS big_bidders, "
                      "count(DISTINCT auction), sum(price) FILTER (WHERE price >= 10000) "
                      "FROM bid GROUP BY channel")
    want = by(bids, lambda b: b["channel"])
    check(len(rows) == len(want), "%d channels, expected %d" % (len(rows), len(want)))
    for channel, total, rank1, bidders, big, auctions, big_sum in rows:
        g = want[channel]
        big_prices = [b["price"] for b in g if b["price"] >= 10000]
        expected = (len(g), sum(1 for b in g if b["price"] < 10000), len({b["bidder"] for b in g}),
                    len({b["bidder"] for b in g if b["price"] >= 10000}),
                    len({b["auction"] for b in g}), sum(big_prices) if big_prices else None)
        got = (total, rank1, bidders, big, auctions, big_sum)
        check(got == expected, "channel %s: %s, expected %s" % (channel, got, expected))
    print("channel statistics: %d groups match" % len(rows))


def check_spread(cur, bids):
    rows = query(cur, "SELECT lower(channel), var_samp(price), stddev_pop(price), "
                      "var_pop(price::float8), bool_and(price > 5), bool_or(price > 9000000), "
                      "every(auction >= 1000) FROM bid GROUP BY 1 HAVING count(*) > 1")
    want = by(bids, lambda b: b["channel"].lower())
    want = {k: v for k, v in want.items() if len(v) > 1}
    check(len(rows) == len(want), "%d channels, expected %d" % (len(rows), len(want)))
    for channel, var, sd, fvar, all5, any9m, every in rows:
        p = [b["price"] for b in want[channel]]
        n, s, s2 = len(p), sum(p), sum(x * x for x in p)
        exact_quotient(var, Fraction(n * s2 - s * s, n * (n - 1)), "var_samp " + channel)
        # The root of the variance rounded at its scale, rounded again: one
        # unit in the last place of what came back.
        pop = math.sqrt(Fraction(n * s2 - s * s, n * n))
        ulp = 10.0 ** sd.as_tuple().exponent
        check(abs(float(sd) - pop) <= ulp + 1e-12 * pop, "stddev_pop %s: %s vs %r"
              % (channel, sd, pop))
        fpop = float(Fraction(n * s2 - s * s, n * n))
        check(abs(fvar - fpop) <= 1e-9 * max(fpop, 1), "var_pop(float8) %s: %r vs %r"
              % (channel, fvar, fpop))
        check((all5, any9m, every) == (all(x > 5 for x in p), any(x > 9000000 for x in p), True),
              "booleans of %s" % channel)
    print("variance, stddev, bool_and/bool_or: %d groups match" % len(rows))


def check_lists_and_ordering(cur, bids):
    rows = query(cur, "SELECT auction, string_agg(DISTINCT channel, ','), array_agg(price), "
                      "array_agg(DISTINCT bidder % 3) FROM bid WHERE auction < 1030 "
                      "GROUP BY 1 ORDER BY 1")
    want = by([b for b in bids if b["auction"] < 1030], lambda b: b["auction"])
    check([r[0] for r in rows] == sorted(want), "auctions %s" % [r[0] for r in rows])
    for auction, channels, prices, mods in rows:
        g = want[auction]
        check(channels == ",".join(sorted({b["channel"] for b in g})), "channels of %d" % auction)
        check(prices == "{%s}" % ",".join(str(p) for p in sorted(b["price"] for b in g)),
              "prices of %d: %s" % (auction, prices))
        check(mods == "{%s}" % ",".join(str(m) for m in sorted({b["bidder"] % 3 for b in g})),
              "bidder mods of %d" % auction)
    rows = query(cur, "SELECT channel, count(*) FROM bid GROUP BY 1 HAVING count(*) > 100 "
                      "ORDER BY count(*) DESC, 1 LIMIT 5")
    counts = collections.Counter(b["channel"] for b in bids)
    top = sorted(((c, n) for c, n in counts.items() if n > 100), key=lambda r: (-r[1], r[0]))[:5]
    check(rows == top, "top channels %s, expected %s" % (rows, top))
    rows = query(cur, "SELECT date_trunc('second', date_time)::text AS s, count(*), max(price) "
                      "FROM bid GROUP BY s ORDER BY s")
    seconds = by(bids, lambda b: b["date_time"][:19])
    want = [(s, len(g), max(b["price"] for b in g)) for s, g in sorted(seconds.items())]
    check(rows == want, "per second: %d rows, expected %d" % (len(rows), len(want)))
    print("string_agg, array_agg, HAVING, ORDER BY aggregate, per-second groups match")


def check_errors_and_empty_input(cur):
    sql = "SELECT auction, price FROM bid GROUP BY auction"
    try:
        cur.execute(sql)
        raise AssertionError("ungrouped column accepted")
    except psycopg2.Error as e:
        check(e.pgcode == "42803", "SQLSTATE %s: %s" % (e.pgcode, e))
        check('column "bid.price" must appear in the GROUP BY clause' in str(e), str(e))
        check(e.diag.statement_position == str(sql.index("price") + 1),
              "position %s" % e.diag.statement_position)
    rows = query(cur, "SELECT count(*), sum(price), max(channel), count(DISTINCT channel) "
                      "FROM bid WHERE price < 0")
    check(rows == [(0, None, None, 0)], "aggregates over no rows: %s" % rows)
    # count(*) alone reads no declared column (the scan keeps a hidden one).
    rows = query(cur, "SELECT count(*) FROM bid")
    check(rows == [(BIDS,)], "count(*): %s" % rows)
    rows = query(cur, "SELECT _partition, count(*) FROM bid GROUP BY 1 ORDER BY 1")
    # The producer's sticky partitioner may fill one partition only.
    check({r[0] for r in rows} <= {0, 1} and sum(r[1] for r in rows) == BIDS,
          "per partition: %s" % rows)
    for p, n in rows:
        direct = query(cur, "SELECT count(*) FROM bid WHERE _partition = %d" % p)
        check(direct == [(n,)], "partition %d: %s grouped, %s filtered" % (p, n, direct))
    print("grouping error and the empty aggregate behave as PostgreSQL")


def main():
    with SqlServer() as server:
        create_topic(server.bootstrap, "bid", 2)
        nexmark.produce(server.bootstrap, "bid", BIDS, SEED)
        bids = list(nexmark.bids(SEED, BIDS))
        conn = server.connect()
        cur = conn.cursor()
        cur.execute(nexmark.SOURCE_SQL)
        check_per_auction(cur, bids)
        check_channel_statistics(cur, bids)
        check_spread(cur, bids)
        check_lists_and_ordering(cur, bids)
        check_errors_and_empty_input(cur)
        conn.close()
        server.stop()
    print("ok")


if __name__ == "__main__":
    main()
