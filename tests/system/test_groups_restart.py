"""Committed offsets across broker restarts, with real clients:

1. sigterm: three members (two confluent-kafka, one kafka-python) read a
   6-partition topic and commit what they read; the broker is stopped
   (SIGTERM) and restarted under them: the group comes back Stable with the
   same generation, member ids and assignments (DescribeGroups, and a raw
   Heartbeat with the old generation is accepted for every member), no
   member is reassigned (no assign/revoke callback, kafka-python keeps its
   generation) for several seconds, OffsetFetch returns the commits and
   every partition continues at its committed offset with commits on,
   nothing read twice.
   Then they commit offsets below what they read and close, the broker
   restarts again, and new members start each partition exactly at those.
2. kill9: a confluent-kafka group member commits synchronously in a loop
   (every return without an exception is an acknowledged commit); the broker
   is SIGKILLed three times mid-loop. After each restart OffsetFetch returns,
   per partition, at least the last acknowledged commit, exactly it unless a
   later commit was in flight when the broker died (then one of those); the
   group comes back Stable with the same generation and member and the
   consumer is not reassigned.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import (GROUP_TEST_CONFIG, check, run_cases, committed_offsets, create_topic,
                          produce_values, wait_until)
from group_tracker import Tracker
from group_members import (CkMember, KpMember, ck_config, describe, disjoint_cover, ends_of, poll_all,
                           settle)
from kafka_schema import SchemaConn, parse_consumer_assignment

PARTITIONS = 6


def group_snapshot(port, group):
    """(state, protocol, {member id: {topic: [partitions]}}) from DescribeGroups v4."""
    conn = SchemaConn(port, client_id="describe")
    try:
        r = conn.call("DescribeGroups", 4, {"Groups": [group], "IncludeAuthorizedOperations": False})
    finally:
        conn.close()
    g = r["Groups"][0]
    check(g["ErrorCode"] == 0, "DescribeGroups %s: error %d" % (group, g["ErrorCode"]))
    return (g["GroupState"], g["ProtocolData"],
            {m["MemberId"]: parse_consumer_assignment(m["MemberAssignment"]) for m in g["Members"]})


def heartbeat(port, group, generation, member):
    """The error code of a raw Heartbeat v0 (0 = that member is in that generation)."""
    conn = SchemaConn(port, client_id="probe")
    try:
        return conn.call("Heartbeat", 0, {"GroupId": group, "GenerationId": generation,
                                          "MemberId": member})["ErrorCode"]
    finally:
        conn.close()


def generation_of(port, group, members):
    """The generation every member id heartbeats successfully with (probing 1..100;
    a Heartbeat with another generation is answered ILLEGAL_GENERATION, 22)."""
    for gen in range(1, 101):
        codes = {m: heartbeat(port, group, gen, m) for m in members}
        if all(c == 0 for c in codes.values()):
            return gen
        check(all(c == 22 for c in codes.values()),
              "Heartbeat generation %d for %s: %s" % (gen, group, codes))
    raise AssertionError("no generation accepted for %s members %s" % (group, sorted(members)))


def check_group_kept(b, group, before, gen, what):
    """After a restart: the group is Stable again with the same members,
    assignments and generation `gen` (the old generation is still valid)."""
    after = group_snapshot(b.port, group)
    check(after == before, "%s: group after the restart %s, before %s" % (what, after, before))
    codes = {m: heartbeat(b.port, group, gen, m) for m in before[2]}
    check(all(c == 0 for c in codes.values()),
          "%s: Heartbeat with the pre-restart generation %d: %s" % (what, gen, codes))


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


def form_and_commit_all(b, group, topic, tr, members):
    """The group of 3 forms, reads 600 records and commits them all; returns
    the log ends."""
    poll_all(members, lambda: disjoint_cover(members, PARTITIONS) and
             all(len(m.assignment()) == 2 for m in members), 60,
             lambda: "group of 3 to form: " + describe(members))
    by_part = produce_values(b.bootstrap, topic, [b"t-%d" % i for i in range(600)], PARTITIONS)
    ends = ends_of(by_part)
    poll_all(members, lambda: tr.covered(ends), 30, "all 600 records")
    poll_all(members, lambda: committed_offsets(b.bootstrap, group, topic, PARTITIONS) == ends, 10,
             "commits of everything read")
    return ends


def stable_group_of_three(b, group, topic, members):
    """The Stable group's DescribeGroups snapshot, checked against the members'
    assignments, and its generation (also kafka-python's)."""
    poll_all(members, lambda: group_snapshot(b.port, group)[0] == "Stable", 10, "group Stable")
    before = group_snapshot(b.port, group)
    check(len(before[2]) == 3 and before[1] == "range", "group before the restart: %s" % (before,))
    by_member = {m: sorted(a.get(topic, [])) for m, a in before[2].items()}
    check(sorted(map(tuple, by_member.values())) == sorted(tuple(sorted(m.assignment())) for m in members),
          "DescribeGroups assignments %s, members' %s" % (by_member, describe(members)))
    gen = generation_of(b.port, group, before[2])
    kp_gen = members[2].c._coordinator._generation.generation_id
    check(kp_gen == gen, "kafka-python generation %s, Heartbeat probe %d" % (kp_gen, gen))
    return before, gen


def wait_first_reads(members, tr, since, what):
    """Waits until every partition was read after `since`; returns first_reads."""
    return poll_all(members, lambda: len(first_reads(tr, since)) == PARTITIONS and first_reads(tr, since),
                    60, lambda: what + describe(members))


def sigterm_under_running_members(b, group, topic, tr, members, ends, before, gen):
    """Restarts the broker (SIGTERM) under the running members: the group is
    kept, nobody is reassigned for 4 s and each partition continues at its
    committed offset; returns the new log ends."""
    kp = members[2]
    calls = [(len(m.assigns), len(m.revokes)) for m in members[:2]]
    owned = [m.assignment() for m in members]
    b.stop()
    b.start()
    check_group_kept(b, group, before, gen, "SIGTERM")
    got = committed_offsets(b.bootstrap, group, topic, PARTITIONS)
    check(got == ends, "OffsetFetch after the first restart %s, committed %s" % (got, ends))
    t_restart = time.monotonic()
    more = produce_values(b.bootstrap, topic, [b"u-%d" % i for i in range(120)], PARTITIONS)
    new_ends = {p: ends[p] + len(more[p]) for p in ends}
    firsts = wait_first_reads(members, tr, t_restart, "every partition read after the restart: ")
    for p, (o, who) in sorted(firsts.items()):
        check(o == ends[p], "running members, partition %d: first offset read after the restart %d (by %s), "
              "committed %d" % (p, o, who, ends[p]))
    poll_all(members, lambda: tr.covered(new_ends), 30, "the 120 records produced after the restart")
    poll_all(members, lambda: committed_offsets(b.bootstrap, group, topic, PARTITIONS) == new_ends, 10,
             "commits of the 120 records (members commit after every batch)")
    # A few seconds after the restart: still no rebalance.
    settle(members, max(0.0, t_restart + 4.0 - time.monotonic()))
    check([(len(m.assigns), len(m.revokes)) for m in members[:2]] == calls,
          "confluent-kafka members reassigned after the restart: assign/revoke calls %s -> %s"
          % (calls, [(len(m.assigns), len(m.revokes)) for m in members[:2]]))
    check([m.assignment() for m in members] == owned, "assignments changed: %s -> %s"
          % ([sorted(o) for o in owned], describe(members)))
    check(kp.c._coordinator._generation.generation_id == gen, "kafka-python generation %d -> %s"
          % (gen, kp.c._coordinator._generation.generation_id))
    check_group_kept(b, group, before, gen, "SIGTERM, 4 s later")
    return new_ends


def commit_below_close_and_restart(b, group, topic, members):
    """The members commit offsets below what they read and close; the broker
    restarts; OffsetFetch returns those offsets before and after. Returns them."""
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
    return want


def check_new_members_start_at(members, tr, t_restart, want, ends):
    """New members start each partition exactly at the committed offset and
    read on to the end."""
    firsts = wait_first_reads(members, tr, t_restart, "every partition read by the new members: ")
    for p, (o, who) in sorted(firsts.items()):
        check(o == want[p], "new members, partition %d: first offset read %d (by %s), committed %d"
              % (p, o, who, want[p]))
    poll_all(members, lambda: all(read_since(tr, t_restart, p) >= set(range(want[p], ends[p])) for p in ends),
             30, "records from the committed offsets to the end")
    tr.verify(ends)


def scenario_sigterm(b):
    topic, group = "rs-term", "rs-term-g"
    create_topic(b.bootstrap, topic, PARTITIONS)
    tr = Tracker()
    members = new_members(b, group, topic, tr, "", True)
    try:
        ends = form_and_commit_all(b, group, topic, tr, members)

        # 1. Running members across a SIGTERM restart (they read and committed
        # everything, and keep committing): the group's membership is
        # persisted (GroupMetadata in __consumer_offsets), so it comes back
        # Stable with the same generation, members and assignments, nobody
        # is reassigned, and each partition continues at its committed offset.
        before, gen = stable_group_of_three(b, group, topic, members)
        ends = sigterm_under_running_members(b, group, topic, tr, members, ends, before, gen)
        # Re-reads are allowed only above the last acknowledged commit.
        dups = sum(tr.verify(ends).values())

        # 2. Members commit offsets below what they read and close; after a
        # restart new members start exactly at those offsets.
        want = commit_below_close_and_restart(b, group, topic, members)
        t_restart = time.monotonic()
        members = new_members(b, group, topic, tr, "'", False)
        check_new_members_start_at(members, tr, t_restart, want, ends)
    finally:
        for m in members:
            m.close()
    return ("3 members (ck, ck, kp): SIGTERM restart under running members -> group Stable, generation %d, same "
            "members and assignments, no reassignment for 4 s; OffsetFetch equal, each partition "
            "continues at its committed offset with commits on, 720 records, none committed read twice "
            "(%d uncommitted re-reads); "
            "commits moved back to %s, members closed, restart -> new members start exactly there"
            % (gen, dups, dict(sorted(want.items()))))


class CommitLoop:
    """A thread committing synchronously in a loop: commit n sets partition p
    to n * PARTITIONS + p; `attempts` holds [n, ok] in order (ok None while
    the commit is in flight)."""

    def __init__(self, c, topic):
        self.c, self.topic = c, topic
        self.attempts = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self.loop)

    def loop(self):
        from confluent_kafka import KafkaException, TopicPartition
        c, attempts, lock = self.c, self.attempts, self.lock
        n = 0
        while not self.stop.is_set():
            n += 1
            with lock:
                attempts.append([n, None])
            try:
                c.commit(offsets=[TopicPartition(self.topic, p, n * PARTITIONS + p) for p in range(PARTITIONS)],
                         asynchronous=False)
                ok = True
            except KafkaException:
                ok = False
            with lock:
                attempts[-1][1] = ok
            c.poll(0)  # serve rebalances after restarts
            if not ok:
                time.sleep(0.05)

    def acked(self):
        return sum(1 for _, ok in self.attempts if ok)

    def wait_acked(self, more, what):
        """Waits for `more` acknowledged commits beyond those seen now."""
        with self.lock:
            base = self.acked()
        wait_until(lambda: self.acked() >= base + more, 30, what)

    def last_acked_and_in_flight(self):
        with self.lock:
            acked = [n for n, ok in self.attempts if ok]
            last_acked = acked[-1]
            in_flight = [n for n, ok in self.attempts if n > last_acked]
        return last_acked, in_flight


def subscribe_committing_consumer(b, group, topic):
    """The committing consumer, subscribed and assigned every partition, and
    the list its on_assign/on_revoke calls append to (+/- partition count)."""
    from confluent_kafka import Consumer
    # session.timeout.ms 45 s, not 6 s: librdkafka 2.0.2 can spin for seconds
    # after a coordinator loss while a synchronous commit is queued ("Closing
    # connection due to nodename change" <-> "marking the coordinator dead:
    # OffsetCommitRequest failed", no Heartbeat sent), and then gives up its
    # membership client-side (SESSTMOUT) although the broker kept it; one CI
    # run saw that spin outlast a 20 s session.
    c = Consumer(ck_config(b.bootstrap, group, **{"session.timeout.ms": 45000, "socket.timeout.ms": 5000,
                                                   "reconnect.backoff.max.ms": 200}))
    assigns = []
    c.subscribe([topic], on_assign=lambda cons, parts: assigns.append(len(parts)),
                on_revoke=lambda cons, parts: assigns.append(-len(parts)))
    wait_until(lambda: c.consume(10, 0.1) is not None and len(c.assignment()) == PARTITIONS, 30,
               "the committing consumer's assignment")
    return c, assigns


def kill9_keeps_commits(b, group, topic, loop, k, before, gen):
    """Kill k (0-based): SIGKILLs the broker mid-loop after fresh acknowledged
    commits, restarts it and checks the group and its committed offsets.
    Returns (time of the kill, report)."""
    loop.wait_acked(50, "50 acknowledged commits before kill %d" % (k + 1))
    b.kill()
    t_last = time.monotonic()
    last_acked, in_flight = loop.last_acked_and_in_flight()
    b.start()
    check_group_kept(b, group, before, gen, "kill %d" % (k + 1))
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
    return t_last, "#%d%s" % (last_acked, "" if ns == {last_acked} else "+%d in flight" % (ns.pop() - last_acked))


def scenario_kill9(b):
    topic, group = "rs-kill", "rs-kill-g"
    create_topic(b.bootstrap, topic, PARTITIONS)
    produce_values(b.bootstrap, topic, [b"k-%d" % i for i in range(60)], PARTITIONS)
    c, assigns = subscribe_committing_consumer(b, group, topic)
    wait_until(lambda: group_snapshot(b.port, group)[0] == "Stable", 10, "group Stable")
    before = group_snapshot(b.port, group)
    check(len(before[2]) == 1 and before[1] == "range", "group before the kills: %s" % (before,))
    gen = generation_of(b.port, group, before[2])
    n_assigns = len(assigns)
    loop = CommitLoop(c, topic)
    loop.t.start()
    report = []
    try:
        for k in range(3):
            # Wait for fresh acknowledged commits, then kill mid-loop.
            t_last, r = kill9_keeps_commits(b, group, topic, loop, k, before, gen)
            report.append(r)
        # And the loop commits successfully again after the last restart.
        loop.wait_acked(20, "acknowledged commits after the last restart")
        time.sleep(max(0.0, 3.0 - (time.monotonic() - t_last)))
        check(len(assigns) == n_assigns, "consumer reassigned after a kill -9 restart: assign/revoke calls %s"
              % assigns)
        check_group_kept(b, group, before, gen, "after the kills")
    finally:
        loop.stop.set()
        loop.t.join(60)
        c.close()
    return ("sync-commit loop, 3 x kill -9: group back Stable with generation %d and the same member each time, no "
            "reassignment; OffsetFetch after each restart == the last acknowledged commit or one in flight (%s), "
            "commits succeed again afterwards" % (gen, ", ".join(report)))


SCENARIOS = [scenario_sigterm, scenario_kill9]


def main():
    run_cases(SCENARIOS, "scenario_", config=GROUP_TEST_CONFIG)


if __name__ == "__main__":
    main()
