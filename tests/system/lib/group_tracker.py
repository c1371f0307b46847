"""Checks delivery across consumer-group rebalances.

Consumers (in this process or others: times are time.monotonic(), which is
CLOCK_MONOTONIC and so comparable across processes on one host) report every
record they consume and every commit the broker acknowledged. verify()
then checks, per partition:
  - every offset below the end was consumed at least once;
  - whenever a consumer starts reading a partition (a new owner, or a jump
    back after a reassignment) at offset F: F >= the latest commit
    acknowledged before that moment (nothing committed is read again; a
    commit may move the offset back on purpose) and F <= one past
    the highest offset consumed before it (nothing is skipped).
Records re-read across a reassignment are therefore allowed only above the
last acknowledged commit.
"""

import threading
import time


class Tracker:
    def __init__(self):
        self._lock = threading.Lock()
        self.consumed = []  # (t, who, partition, offset)
        self.commits = []  # (t, who, partition, next offset)

    def on_consume(self, who, partition, offset, t=None):
        with self._lock:
            self.consumed.append((time.monotonic() if t is None else t, who, partition, offset))

    def on_commit(self, who, partition, next_offset, t=None):
        with self._lock:
            self.commits.append((time.monotonic() if t is None else t, who, partition, next_offset))

    def offsets(self, partition):
        with self._lock:
            return {o for _, _, p, o in self.consumed if p == partition}

    def count(self):
        with self._lock:
            return len(self.consumed)

    def covered(self, ends):
        """True once every offset below ends[p] was consumed, for every p."""
        with self._lock:
            seen = {}
            for _, _, p, o in self.consumed:
                seen.setdefault(p, set()).add(o)
        return all(len(seen.get(p, ())) >= end and set(range(end)) <= seen.get(p, set())
                   for p, end in ends.items())

    def missing(self, ends):
        """{partition: (first missing offset, end)} for partitions not fully read."""
        with self._lock:
            seen = {}
            for _, _, p, o in self.consumed:
                seen.setdefault(p, set()).add(o)
        out = {}
        for p, end in sorted(ends.items()):
            gap = next((o for o in range(end) if o not in seen.get(p, ())), None)
            if gap is not None:
                out[p] = (gap, end)
        return out

    def owners(self, partition):
        """Consumers that read `partition`, in order of their first record."""
        with self._lock:
            out = []
            for _, who, p, _ in sorted(self.consumed, key=lambda e: e[0]):
                if p == partition and who not in out:
                    out.append(who)
            return out

    def history(self, partition, until=None, last=12):
        """Readable log of a partition's read runs and commits (for failures)."""
        with self._lock:
            evs = [(t, "read", who, o) for t, who, p, o in self.consumed if p == partition]
            evs += [(t, "commit", who, o) for t, who, p, o in self.commits if p == partition]
        evs.sort(key=lambda e: e[0])
        lines, prev = [], None
        for t, kind, who, o in evs:
            if kind == "read" and prev and prev[1] == "read" and prev[2] == who and prev[3] == o - 1:
                lines[-1] = "%s..%d" % (lines[-1].split("..")[0], o)
            else:
                lines.append("  %.3f %s %s %d" % (t, who, kind, o))
            prev = (t, kind, who, o)
            if until is not None and t > until:
                break
        return "\n".join(lines[-last:])

    def verify(self, ends):
        """Asserts the invariants above; returns {partition: duplicates}."""
        with self._lock:
            consumed = sorted(self.consumed, key=lambda e: e[0])
            commits = sorted(self.commits, key=lambda e: e[0])
        dups = {}
        for p, end in sorted(ends.items()):
            events = [(t, who, o) for t, who, pp, o in consumed if pp == p]
            offs = [o for _, _, o in events]
            missing = sorted(set(range(end)) - set(offs))
            if missing:
                raise AssertionError("partition %d: offsets never consumed: %s%s (end %d)"
                                     % (p, missing[:20], "..." if len(missing) > 20 else "", end))
            extra = sorted(o for o in set(offs) if o >= end)
            if extra:
                raise AssertionError("partition %d: offsets beyond the end %d consumed: %s" % (p, end, extra[:10]))
            prev_who, prev_off, highest = None, None, -1
            for t, who, o in events:
                if who != prev_who or o != prev_off + 1:
                    before = [c for tc, _, pc, c in commits if pc == p and tc < t]
                    acked = before[-1] if before else 0
                    if o < acked:
                        raise AssertionError(
                            "partition %d: %s started at offset %d, below the commit %d acknowledged before "
                            "(committed records read again)\n%s" % (p, who, o, acked, self.history(p, t)))
                    if o > highest + 1:
                        raise AssertionError("partition %d: %s started at offset %d, but only offsets up to "
                                             "%d were consumed before (records skipped)" % (p, who, o, highest))
                prev_who, prev_off = who, o
                highest = max(highest, o)
            dups[p] = len(offs) - len(set(offs))
        return dups
