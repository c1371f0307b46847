"""Committed offsets across broker restarts, with real clients:

1. sigterm: three members (two confluent-kafka, one kafka-python) read a
   6-partition topic and commit what they read; the broker is stopped
   (SIGTERM) and restarted under them: OffsetFetch returns the commits and
   every partition continues at its committed offset, nothing read twice.
   Then they commit offsets below what they read and close, the broker
   restarts again, and new members start each partition exactly at those.
2. kill9: a confluent-kafka group member commits synchronously in a loop
   (every return without an exception is an acknowledged commit); the broker
   is SIGKILLed three times mid-loop. After each restart OffsetFetch returns,
   per partition, at least the last acknowledged commit, exactly it unless a
   later commit was in flight when the broker died (then one of those).
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import (GROUP_TEST_CONFIG, Broker, check, committed_offsets, create_topic,
                          produce_values, wait_until)
from group_tracker import Tracker
from group_members import (CkMember, KpMember, ck_config, describe, disjoint_cover, ends_of, poll_all,
                           settle)
from kafka_schema import describe_group

PARTITIONS = 6


class _AnyThree:
    def __eq__(self, other):
        return isinstance(other, list) and len(other) == 3


ANY3 = _AnyThree()


def first_reads(tr, since):
    """{partition: (first offset read after `since`, by whom)}."""
    firsts = {}
    for t, who, p, o in sorted(tr.consumed):
        if t > since and p not in firsts:
            firsts[p] = (o, who)
    return firsts


def read_since(tr, since, p):
    return {o for t, _, pp, o in tr.consumed if t > since and pp == p}


def new_members(b, group, topic, tr, suffix, commit):
    return [CkMember("ck1" + suffix, b.bootstrap, group, topic, tr, commit=commit, commit_on_revoke=commit),
            CkMember("ck2" + suffix, b.bootstrap, group, topic, tr, commit=commit, commit_on_revoke=commit),
            KpMember("kp" + suffix, b.bootstrap, group, topic, tr, commit=commit)]


def scenario_sigterm(b):
    topic, group = "rs-term", "rs-term-g"
    create_topic(b.bootstrap, topic, PARTITIONS)
    tr = Tracker()
    members = new_members(b, group, topic, tr, "", True)
    try:
        poll_all(members, lambda: disjoint_cover(members, PARTITIONS) and
                 all(len(m.assignment()) == 2 for m in members), 60,
                 lambda: "group of 3 to form: " + describe(members))
        by_part = produce_values(b.bootstrap, topic, [b"t-%d" % i for i in range(600)], PARTITIONS)
        ends = ends_of(by_part)
        poll_all(members, lambda: tr.covered(ends), 30, "all 600 records")
        poll_all(members, lambda: committed_offsets(b.bootstrap, group, topic, PARTITIONS) == ends, 10,
                 "commits of everything read")

        # 1. Running members across a SIGTERM restart (they read and committed
        # everything): each partition continues at its committed offset.
        # No commits from here on: Spate does not keep membership across a
        # restart, so members rejoin one by one and one still holding its old
        # assignment may read a partition already given to another; with
        # commits off such overlaps stay above the committed offsets.
        for m in members:
            m.commit_each_batch = False
            m.commit_on_revoke = False
        b.stop()
        b.start()
        got = committed_offsets(b.bootstrap, group, topic, PARTITIONS)
        check(got == ends, "OffsetFetch after the first restart %s, committed %s" % (got, ends))
        t_restart = time.monotonic()
        more = produce_values(b.bootstrap, topic, [b"u-%d" % i for i in range(120)], PARTITIONS)
        new_ends = {p: ends[p] + len(more[p]) for p in ends}
        firsts = poll_all(members, lambda: len(first_reads(tr, t_restart)) == PARTITIONS and first_reads(tr, t_restart),
                          60, lambda: "every partition read after the restart: " + describe(members))
        for p, (o, who) in sorted(firsts.items()):
            check(o == ends[p], "running members, partition %d: first offset read after the restart %d (by %s), "
                  "committed %d" % (p, o, who, ends[p]))
        poll_all(members, lambda: tr.covered(new_ends), 30, "the 120 records produced after the restart")
        # Membership is not kept across restarts in Spate: wait until all
        # three rejoined before committing as members again.
        poll_all(members, lambda: describe_group(b.port, group) == ("Stable", ANY3), 30,
                 lambda: "the group to be Stable with 3 members again: %s" % (describe_group(b.port, group),))
        settle(members, 0.5)
        ends = new_ends
        # Re-reads are allowed only above the last acknowledged commit.
        dups = sum(tr.verify(ends).values())

        # 2. Members commit offsets below what they read and close; after a
        # restart new members start exactly at those offsets.
        for m in members:
            m.stop()
            m.commit_on_revoke = False  # closing must not commit again
        want = {}
        for m in members:
            offs = {p: 30 + 7 * p for p in m.assignment()}
            m.commit_offsets(offs)
            want.update(offs)
        check(set(want) == set(range(PARTITIONS)), "commits cover %s" % sorted(want))
        got = committed_offsets(b.bootstrap, group, topic, PARTITIONS)
        check(got == want, "OffsetFetch before the second restart %s, committed %s" % (got, want))
        for m in members:
            m.close()
        b.stop()
        b.start()
        got = committed_offsets(b.bootstrap, group, topic, PARTITIONS)
        check(got == want, "OffsetFetch after the second restart %s, committed %s" % (got, want))
        t_restart = time.monotonic()
        members = new_members(b, group, topic, tr, "'", False)
        firsts = poll_all(members, lambda: len(first_reads(tr, t_restart)) == PARTITIONS and first_reads(tr, t_restart),
                          60, lambda: "every partition read by the new members: " + describe(members))
        for p, (o, who) in sorted(firsts.items()):
            check(o == want[p], "new members, partition %d: first offset read %d (by %s), committed %d"
                  % (p, o, who, want[p]))
        poll_all(members, lambda: all(read_since(tr, t_restart, p) >= set(range(want[p], ends[p])) for p in ends),
                 30, "records from the committed offsets to the end")
        tr.verify(ends)
    finally:
        for m in members:
            m.close()
    return ("3 members (ck, ck, kp): SIGTERM restart under running members -> OffsetFetch equal, each partition "
            "continues at its committed offset, 720 records, none committed read twice (%d uncommitted re-reads); "
            "commits moved back to %s, members closed, restart -> new members start exactly there"
            % (dups, dict(sorted(want.items()))))


def scenario_kill9(b):
    from confluent_kafka import Consumer, KafkaException, TopicPartition
    topic, group = "rs-kill", "rs-kill-g"
    create_topic(b.bootstrap, topic, PARTITIONS)
    produce_values(b.bootstrap, topic, [b"k-%d" % i for i in range(60)], PARTITIONS)
    c = Consumer(ck_config(b.bootstrap, group, **{"session.timeout.ms": 6000, "socket.timeout.ms": 5000,
                                                   "reconnect.backoff.max.ms": 200}))
    c.subscribe([topic])
    wait_until(lambda: c.consume(10, 0.1) is not None and len(c.assignment()) == PARTITIONS, 30,
               "the committing consumer's assignment")
    attempts = []  # (n, ok) in order; commit n sets partition p to n * PARTITIONS + p
    stop = threading.Event()
    lock = threading.Lock()

    def loop():
        n = 0
        while not stop.is_set():
            n += 1
            with lock:
                attempts.append([n, None])
            try:
                c.commit(offsets=[TopicPartition(topic, p, n * PARTITIONS + p) for p in range(PARTITIONS)],
                         asynchronous=False)
                ok = True
            except KafkaException:
                ok = False
            with lock:
                attempts[-1][1] = ok
            c.poll(0)  # serve rebalances after restarts
            if not ok:
                time.sleep(0.05)

    t = threading.Thread(target=loop)
    t.start()
    report = []
    try:
        for k in range(3):
            # Wait for fresh acknowledged commits, then kill mid-loop.
            with lock:
                base = sum(1 for _, ok in attempts if ok)
            wait_until(lambda: sum(1 for _, ok in attempts if ok) >= base + 50, 30,
                       "50 acknowledged commits before kill %d" % (k + 1))
            b.kill()
            with lock:
                acked = [n for n, ok in attempts if ok]
                last_acked = acked[-1]
                in_flight = [n for n, ok in attempts if n > last_acked]
            b.start()
            got = committed_offsets(b.bootstrap, group, topic, PARTITIONS)
            allowed = [last_acked] + in_flight
            for p in range(PARTITIONS):
                n, rem = divmod(got[p], PARTITIONS)
                check(rem == p and n >= last_acked,
                      "kill %d: partition %d committed %d after restart, but commit %d (offset %d) was "
                      "acknowledged" % (k + 1, p, got[p], last_acked, last_acked * PARTITIONS + p))
                check(n in allowed, "kill %d: partition %d committed %d (commit #%d) after restart; last "
                      "acknowledged #%d, in flight %s" % (k + 1, p, got[p], n, last_acked, in_flight))
            ns = {got[p] // PARTITIONS for p in range(PARTITIONS)}
            check(len(ns) == 1, "kill %d: partitions committed by different commits %s (one request, all "
                  "partitions)" % (k + 1, sorted(ns)))
            report.append("#%d%s" % (last_acked, "" if ns == {last_acked} else "+%d in flight" % (ns.pop() - last_acked)))
        # And the loop commits successfully again after the last restart.
        with lock:
            base = sum(1 for _, ok in attempts if ok)
        wait_until(lambda: sum(1 for _, ok in attempts if ok) >= base + 20, 30,
                   "acknowledged commits after the last restart")
    finally:
        stop.set()
        t.join(60)
        c.close()
    return ("sync-commit loop, 3 x kill -9: OffsetFetch after each restart == the last acknowledged commit or one in flight (%s), "
            "commits succeed again afterwards" % ", ".join(report))


SCENARIOS = [scenario_sigterm, scenario_kill9]


def main():
    only = os.environ.get("SPATE_TEST_CASE")
    failed = []
    with Broker(config=GROUP_TEST_CONFIG) as b:
        for sc in SCENARIOS:
            name = sc.__name__[len("scenario_"):]
            if only and only not in name:
                continue
            start = time.monotonic()
            try:
                what = sc(b)
                print("PASS %s (%.1fs): %s" % (name, time.monotonic() - start, what), flush=True)
            except AssertionError as e:
                failed.append(name)
                print("FAIL %s (%.1fs): %s" % (name, time.monotonic() - start, e), flush=True)
            check(b.alive(), "broker died during %s:\n%s" % (name, "\n".join(b.output[-30:])))
        b.stop()
    if failed:
        print("failed scenarios: %s" % ", ".join(failed))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
