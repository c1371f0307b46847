"""Consumer groups: a confluent-kafka (librdkafka) consumer and a kafka-python
consumer, both with the range assignor, share a 12-partition topic in one
group (6 partitions each, disjoint); every record is read exactly once, by
the owner of its partition; the offsets read are committed; and after a
broker restart a new consumer of the group resumes from the committed
offsets (read back from __consumer_offsets): it reads exactly the records
produced after the commit.

Each consumer polls on its own thread (lib/group_members.py): a kafka-python
poll blocks inside JoinGroup until the rebalance completes, which needs the
librdkafka member to poll meanwhile."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import GROUP_TEST_CONFIG, Broker, check, committed_offsets, create_topic, produce_values
from group_tracker import Tracker
from group_members import CkMember, KpMember, describe, disjoint_cover, ends_of, poll_all, settle

TOPIC = "grp-topic"
GROUP = "grp-1"
PARTITIONS = 12
FIRST = 1200
SECOND = 240


def reads_of(tr, who=None, since=None):
    """[(partition, offset)] consumed (by `who`, after `since`)."""
    return [(p, o) for t, w, p, o in tr.consumed
            if (who is None or w == who) and (since is None or t > since)]


def main():
    start = time.monotonic()
    with Broker(config=GROUP_TEST_CONFIG) as b:
        create_topic(b.bootstrap, TOPIC, PARTITIONS)
        tr = Tracker()
        # Commits only where this test makes them (below).
        a = CkMember("ck", b.bootstrap, GROUP, TOPIC, tr, commit=False, commit_on_revoke=False)
        k = KpMember("kp", b.bootstrap, GROUP, TOPIC, tr, commit=False)
        members = [a, k]
        try:
            # Form the group (both members, 6 partitions each) before
            # producing, so no record is handed out twice across a rebalance.
            poll_all(members, lambda: disjoint_cover(members, PARTITIONS) and
                     all(len(m.assignment()) == PARTITIONS // 2 for m in members), 30,
                     lambda: "group of 2 to form: %s (ck %s; kp %s)"
                     % (describe(members), a.poll_state(), k.poll_state()))
            check(tr.count() == 0, "records before any were produced")
            owned = {m.name: m.assignment() for m in members}

            by_part = produce_values(b.bootstrap, TOPIC, [b"r-%d" % i for i in range(FIRST)], PARTITIONS)
            ends = ends_of(by_part)
            check(sum(ends.values()) == FIRST, "produced %s" % ends)
            poll_all(members, lambda: tr.covered(ends), 30,
                     lambda: "all %d records: missing %s; %s" % (FIRST, tr.missing(ends), describe(members)))
            settle(members, 1.0)  # nothing more (no duplicates) may arrive
            every = reads_of(tr)
            check(len(every) == FIRST and len(set(every)) == FIRST,
                  "read %d records (%d distinct) for %d produced" % (len(every), len(set(every)), FIRST))
            for m in members:
                mine = reads_of(tr, m.name)
                check(mine, "%s got nothing" % m.name)
                stray = sorted({p for p, _ in mine} - owned[m.name])
                check(not stray, "%s read partitions %s outside its assignment %s"
                      % (m.name, stray, sorted(owned[m.name])))
                check(m.assignment() == owned[m.name], "%s: assignment changed while consuming: %s -> %s"
                      % (m.name, sorted(owned[m.name]), sorted(m.assignment())))
            tr.verify(ends)

            # Commit what each member read (polling stopped: no rebalance can
            # interleave), and read the commits back.
            for m in members:
                m.stop()
            for m in members:
                m.commit_offsets({p: max(o for pp, o in reads_of(tr, m.name) if pp == p) + 1
                                  for p in owned[m.name]})
            got = committed_offsets(b.bootstrap, GROUP, TOPIC, PARTITIONS)
            check(got == ends, "committed offsets %s, read up to %s" % (got, ends))
        finally:
            for m in members:
                m.close()

        more = produce_values(b.bootstrap, TOPIC, [b"s-%d" % i for i in range(SECOND)], PARTITIONS)
        new_ends = {p: ends[p] + len(more[p]) for p in ends}
        b.restart()
        got = committed_offsets(b.bootstrap, GROUP, TOPIC, PARTITIONS)
        check(got == ends, "committed offsets after the restart %s, before %s" % (got, ends))

        c = KpMember("kp2", b.bootstrap, GROUP, TOPIC, tr, commit=False)
        try:
            want = {(p, o) for p in ends for o in range(ends[p], new_ends[p])}
            poll_all([c], lambda: want <= set(reads_of(tr, "kp2")), 30,
                     lambda: "after the restart: read %d of the %d new records; %s"
                     % (len(want & set(reads_of(tr, "kp2"))), SECOND, c.poll_state()))
            settle([c], 1.0)
            after = reads_of(tr, "kp2")
            check(len(after) == SECOND and set(after) == want,
                  "after the restart read %d records (%d committed ones re-read), not exactly the %d uncommitted"
                  % (len(after), len(set(after) - want), SECOND))
            check(c.assignment() == set(range(PARTITIONS)), "kp2 assignment %s" % sorted(c.assignment()))
            tr.verify(new_ends)
        finally:
            c.close()
        b.stop()
    print("ok: ck=%s kp=%s read %d records once; commits %s survived a restart; a new consumer read exactly "
          "the %d records after them (%.1fs)" % (sorted(owned["ck"]), sorted(owned["kp"]), FIRST, ends, SECOND,
                                                 time.monotonic() - start))


if __name__ == "__main__":
    main()
