"""Consumer-group membership with real clients (range, static, cooperative):

1. leave: a confluent-kafka (librdkafka) and a kafka-python consumer (range)
   share a 12-partition topic; every record is read exactly once; when the
   kafka-python member closes (LeaveGroup) its partitions move to the other
   well before the session timeout, which resumes at the committed offsets.
2. kill: three members (two in this process, one in a subprocess that
   commits after every record); the subprocess is SIGKILLed mid-stream; its
   partitions move to the survivors within the session timeout plus slack,
   every record is consumed at least once and nothing committed is re-read.
3. static: a member with group.instance.id restarts within its session
   timeout and gets its partitions back without a rebalance: the other
   members' assign/revoke callbacks are not called again.
4. cooperative: confluent-kafka consumers with cooperative-sticky rebalance
   incrementally as members join and leave: a member only ever loses the
   partitions that move, keeps consuming the rest, and (committing in
   on_revoke) no record is read twice.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import (GROUP_TEST_CONFIG, check, run_cases, committed_offsets, create_topic, produce_values,
                          wait_until, watermarks)
from group_tracker import Tracker
from group_members import CkMember, KpMember, ck_config, describe, disjoint_cover, ends_of, poll_all, settle

PARTITIONS = 12
KILL_SESSION_MS = 3000


# ---- 1. leave ---------------------------------------------------------------

def scenario_leave(b):
    topic, group = "memb-leave", "memb-leave-g"
    create_topic(b.bootstrap, topic, PARTITIONS)
    tr = Tracker()
    a = CkMember("ck", b.bootstrap, group, topic, tr)
    k = KpMember("kp", b.bootstrap, group, topic, tr)
    try:
        poll_all([a, k], lambda: disjoint_cover([a, k]) and len(a.assignment()) == 6, 60,
                 lambda: "group of 2 to form: " + describe([a, k]))
        check(tr.count() == 0, "records before any were produced")
        first = produce_values(b.bootstrap, topic, [b"r-%d" % i for i in range(1200)], PARTITIONS)
        ends = ends_of(first)
        poll_all([a, k], lambda: tr.covered(ends), 30, "all 1200 records to be consumed")
        settle([a, k], 0.5)
        dups = tr.verify(ends)
        check(sum(dups.values()) == 0, "records read twice in a stable group: %s" % dups)
        check(tr.count() == 1200, "read %d records for 1200" % tr.count())
        a_parts, k_parts = a.assignment(), k.assignment()
        for p in range(PARTITIONS):
            want = ["ck"] if p in a_parts else ["kp"]
            check(tr.owners(p) == want, "partition %d read by %s, assigned to %s" % (p, tr.owners(p), want))

        revokes_before = len(a.revokes)
        t0 = time.monotonic()
        k.close()  # LeaveGroup
        poll_all([a], lambda: a.assignment() == set(range(PARTITIONS)), 10,
                 lambda: "the remaining member to own all partitions: " + describe([a]))
        took = time.monotonic() - t0
        check(took < 3.0, "takeover after LeaveGroup took %.1fs (session timeout 6s: the leave was ignored?)" % took)
        check(len(a.revokes) > revokes_before, "the remaining member was not revoked/reassigned (eager protocol)")
        second = produce_values(b.bootstrap, topic, [b"s-%d" % i for i in range(240)], PARTITIONS)
        ends = {p: ends[p] + len(second[p]) for p in ends}
        poll_all([a], lambda: tr.covered(ends), 30, "the 240 new records")
        settle([a], 0.5)
        dups = tr.verify(ends)
        check(sum(dups.values()) == 0, "records read twice after a clean leave (all were committed): %s" % dups)
        for p in k_parts:
            check(tr.owners(p) == ["kp", "ck"], "partition %d owners %s, want kp then ck" % (p, tr.owners(p)))
    finally:
        a.close()
        try:
            k.close()
        except Exception:
            pass
    return ("ck+kp range share 12 partitions 6/6, 1200 records exactly once; kp leaves -> ck owns all 12 in "
            "%.2fs (< 3s) and reads the 240 new records exactly once from the committed offsets" % took)


# ---- 2. kill ----------------------------------------------------------------

def victim_main(bootstrap, group, topic, delay):
    """Subprocess: consume slowly, commit after every record, report on stdout."""
    from confluent_kafka import Consumer, KafkaException

    def emit(**kw):
        kw["t"] = time.monotonic()
        sys.stdout.write(json.dumps(kw) + "\n")
        sys.stdout.flush()

    c = Consumer(ck_config(bootstrap, group, **{"session.timeout.ms": KILL_SESSION_MS, "client.id": "victim"}))
    c.subscribe([topic], on_assign=lambda c, ps: emit(ev="assign", parts=[p.partition for p in ps]),
                on_revoke=lambda c, ps: emit(ev="revoke", parts=[p.partition for p in ps]))
    while True:
        for m in c.consume(20, 0.1):
            if m.error():
                emit(ev="error", err=str(m.error()))
                continue
            emit(ev="msg", p=m.partition(), o=m.offset())
            time.sleep(delay)
            try:
                c.commit(message=m, asynchronous=False)
                emit(ev="commit", p=m.partition(), o=m.offset() + 1)
            except KafkaException as e:
                emit(ev="commit-failed", p=m.partition(), err=str(e))


def scenario_kill(b):
    topic, group = "memb-kill", "memb-kill-g"
    create_topic(b.bootstrap, topic, PARTITIONS)
    tr = Tracker()
    victim_assign = []
    victim_errors = []
    victim_lines = []
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--victim", b.bootstrap, group, topic,
                             "0.01"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def pump():
        for line in proc.stdout:
            victim_lines.append(line.rstrip())
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev["ev"] == "msg":
                tr.on_consume("victim", ev["p"], ev["o"], ev["t"])
            elif ev["ev"] == "commit":
                tr.on_commit("victim", ev["p"], ev["o"], ev["t"])
            elif ev["ev"] == "assign":
                victim_assign.append(set(ev["parts"]))
            elif ev["ev"] == "revoke":
                victim_assign.append(set())
            elif ev["ev"] == "error":
                victim_errors.append(ev["err"])

    threading.Thread(target=pump, daemon=True).start()
    a = k = None
    try:
        wait_until(lambda: victim_assign and len(victim_assign[-1]) == PARTITIONS, 30,
                   lambda: "the subprocess member to start: %s" % victim_lines[-5:])
        a = CkMember("ck", b.bootstrap, group, topic, tr, **{"session.timeout.ms": KILL_SESSION_MS})
        k = KpMember("kp", b.bootstrap, group, topic, tr, session_ms=KILL_SESSION_MS)
        survivors = [a, k]

        def formed():
            va = victim_assign[-1] if victim_assign else set()
            sets = [a.assignment(), k.assignment(), va]
            return all(len(s) == 4 for s in sets) and set().union(*sets) == set(range(PARTITIONS))

        poll_all(survivors, formed, 60, lambda: "group of 3 to form: %s, victim=%s"
                 % (describe(survivors), sorted(victim_assign[-1]) if victim_assign else None))
        victim_parts = set(victim_assign[-1])
        by_part = produce_values(b.bootstrap, topic, [b"k-%d" % i for i in range(3000)], PARTITIONS)
        ends = ends_of(by_part)
        poll_all(survivors, lambda: sum(1 for e in tr.consumed if e[1] == "victim") >= 60, 30,
                 "the subprocess member to consume 60 records")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        t_kill = time.monotonic()
        victim_consumed = sum(1 for e in tr.consumed if e[1] == "victim")
        poll_all(survivors, lambda: disjoint_cover(survivors), KILL_SESSION_MS / 1000 + 7,
                 lambda: "survivors to own all partitions after SIGKILL: " + describe(survivors))
        took = time.monotonic() - t_kill
        # Heartbeats every 0.3 s: the victim's session cannot end much before 3 s.
        check(took >= KILL_SESSION_MS / 1000 - 1.0, "takeover %.1fs after SIGKILL, before the %ds session "
              "timeout could pass" % (took, KILL_SESSION_MS // 1000))
        poll_all(survivors, lambda: tr.covered(ends), 30,
                 lambda: "every record consumed after the takeover (%d consumed)" % tr.count())
        dups = tr.verify(ends)
        for p in victim_parts:
            owners = tr.owners(p)
            check(owners[-1] in ("ck", "kp") and owners[:-1] in ([], ["victim"]),
                  "partition %d (the victim's) read by %s, want (the victim then) one survivor" % (p, owners))
        check(any(tr.owners(p)[0] == "victim" for p in victim_parts), "the victim read none of its partitions")
        check(not victim_errors, "subprocess consumer errors: %s" % victim_errors[:3])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for m in (a, k):
            if m is not None:
                m.close()
    return ("3 members (ck, kp, ck subprocess) 4/4/4; subprocess SIGKILLed after %d records; survivors own all "
            "12 partitions %.1fs later (session %ds, bounds [%d, %d]s); all 3000 records consumed, none committed "
            "re-read (%d uncommitted re-reads)" % (victim_consumed, took, KILL_SESSION_MS // 1000,
                                                   KILL_SESSION_MS // 1000 - 1, KILL_SESSION_MS // 1000 + 7, sum(dups.values())))


# ---- 3. static --------------------------------------------------------------

def scenario_static(b):
    topic, group = "memb-static", "memb-static-g"
    create_topic(b.bootstrap, topic, PARTITIONS)
    tr = Tracker()
    static_cfg = {"group.instance.id": "static-1", "session.timeout.ms": 6000}
    a = CkMember("a", b.bootstrap, group, topic, tr)
    members = [a]
    s = None
    try:
        poll_all(members, lambda: len(a.assignment()) == PARTITIONS, 30, "the first member (the leader)")
        c = CkMember("c", b.bootstrap, group, topic, tr)
        members.append(c)
        s = CkMember("s", b.bootstrap, group, topic, tr, **static_cfg)
        members.append(s)
        poll_all(members, lambda: disjoint_cover(members) and all(len(m.assignment()) == 4 for m in members),
                 60, lambda: "group of 3 to form: " + describe(members))
        # Let the group settle: no rebalance for a while.
        calls = lambda: [(len(m.assigns), len(m.revokes)) for m in (a, c)]  # noqa: E731
        before = calls()
        settle(members, 1.0)
        check(calls() == before, "group still rebalancing")
        s_parts = s.assignment()
        others = {m.name: m.assignment() for m in (a, c)}
        by_part = produce_values(b.bootstrap, topic, [b"a-%d" % i for i in range(600)], PARTITIONS)
        ends = ends_of(by_part)
        poll_all(members, lambda: tr.covered(ends), 30, "the first 600 records")

        s.close()  # a static member sends no LeaveGroup
        members.remove(s)
        t0 = time.monotonic()
        # Bounce: back well within the 6 s session timeout.
        s2 = CkMember("s2", b.bootstrap, group, topic, tr, **static_cfg)
        members.append(s2)
        poll_all(members, lambda: s2.assignment(), 5, "the restarted static member's assignment")
        took = time.monotonic() - t0
        check(s2.assignment() == s_parts, "static member got %s back, had %s" % (sorted(s2.assignment()),
                                                                               sorted(s_parts)))
        more = produce_values(b.bootstrap, topic, [b"b-%d" % i for i in range(600)], PARTITIONS)
        ends = {p: ends[p] + len(more[p]) for p in ends}
        poll_all(members, lambda: tr.covered(ends), 30, "the next 600 records")
        # Past the old session timeout: the old entry must not expire and cause a rebalance.
        settle(members, t0 + 6.0 + 1.5 - time.monotonic())
        check(calls() == before, "the other members were reassigned (assign/revoke calls %s -> %s): the static "
              "rejoin caused a rebalance" % (before, calls()))
        check({m.name: m.assignment() for m in (a, c)} == others, "the other members' partitions changed")
        check(s2.assignment() == s_parts, "the static member's partitions changed")
        dups = tr.verify(ends)
        check(sum(dups.values()) == 0, "records read twice: %s" % dups)
    finally:
        for m in members:
            m.close()
    return ("static member (group.instance.id) restarted in %.2fs gets %s back; the 2 others' on_assign/"
            "on_revoke not called again through the old session timeout; 1200 records exactly once"
            % (took, sorted(s_parts)))


# ---- 4. cooperative-sticky ---------------------------------------------------

class CoopGroup:
    """The cooperative-sticky scenario's group: its members (no auto commit),
    the records produced to its topic so far and who read them."""

    def __init__(self, b, topic, group):
        self.b, self.topic, self.group = b, topic, group
        self.tr = Tracker()
        self.coop = {"partition.assignment.strategy": "cooperative-sticky", "statistics.interval.ms": 500}
        self.ends = {p: 0 for p in range(PARTITIONS)}
        self.seq = 0
        self.members = []
        self.closed = []

    def add(self, name):
        m = CkMember(name, self.b.bootstrap, self.group, self.topic, self.tr, commit=False, **self.coop)
        self.members.append(m)
        return m

    def produce(self, n):
        vals = [b"c-%d" % i for i in range(self.seq, self.seq + n)]
        self.seq += n
        got = produce_values(self.b.bootstrap, self.topic, vals, PARTITIONS)
        for p, v in got.items():
            self.ends[p] += len(v)

    def all_read(self):
        return self.tr.covered(self.ends)

    def join(self, name):
        """`name` joins while records arrive; the others only lose (and revoke)
        the partitions that move to it."""
        members = self.members
        before = {m.name: (m.assignment(), len(m.revokes)) for m in members}
        n = len(members) + 1
        m = self.add(name)
        # Records keep arriving while the group rebalances.
        self.produce(300)
        poll_all(members, lambda: disjoint_cover(members) and
                 all(len(x.assignment()) in (PARTITIONS // n, PARTITIONS // n + 1) for x in members), 60,
                 lambda: "incremental rebalance for %s: %s" % (name, describe(members)))
        for x in members[:-1]:
            old, nrev = before[x.name]
            now = x.assignment()
            check(now <= old, "%s gained partitions %s when %s joined" % (x.name, sorted(now - old), name))
            revoked = set().union(*x.revokes[nrev:]) if len(x.revokes) > nrev else set()
            check(revoked == old - now, "%s revoked %s, but lost %s (cooperative: only moved partitions)"
                  % (x.name, sorted(revoked), sorted(old - now)))
            check(len(now) > 0 and revoked != old, "%s lost everything: an eager rebalance" % x.name)
        # Incremental: the newcomer's partitions may arrive over several on_assign calls.
        got = set().union(*m.assigns) - set().union(*m.revokes) if m.assigns else set()
        check(m.assignment() == got, "%s: assignment %s, but on_assign/on_revoke calls %s / %s"
              % (name, sorted(m.assignment()), m.assigns, m.revokes))

    def unread_report(self):
        """What is known about records not read yet, for a failure message."""
        b, tr, ends, members = self.b, self.tr, self.ends, self.members
        return ("records after c2 and c3 joined: missing "
                "(first gap, end) %s; watermarks %s; %s; assigns %s; revokes %s; librdkafka fetch state %s; poll threads %s; committed %s; history:\n%s" % (
                    tr.missing(ends), watermarks(b.bootstrap, self.topic, tr.missing(ends)), describe(members), {m.name: m.assigns for m in members},
                    {m.name: m.revokes for m in members},
                    {m.name: m.fetch_states(tr.missing(ends)) for m in members},
                    {m.name: m.poll_state() for m in members},
                    committed_offsets(b.bootstrap, self.group, self.topic, PARTITIONS),
                    "\n".join("p%d:\n%s" % (p, tr.history(p)) for p in tr.missing(ends))))

    def leave_c2(self):
        """c2 leaves: c1 and c3 get its partitions incrementally, revoke nothing.
        Returns c2's partitions."""
        members = self.members
        before = {m.name: (m.assignment(), len(m.revokes), len(m.assigns)) for m in members if m.name != "c2"}
        c2 = members[1]
        c2.stop()
        c2_parts = c2.assignment()
        c2.commit_partitions(c2_parts)
        c2.close()
        self.closed.append(c2)
        members.remove(c2)
        self.produce(300)
        poll_all(members, lambda: disjoint_cover(members), 30,
                 lambda: "c2's partitions to move: " + describe(members))
        for x in members:
            old, nrev, nasg = before[x.name]
            revoked = set().union(*x.revokes[nrev:]) if len(x.revokes) > nrev else set()
            check(not revoked, "%s revoked %s when c2 left" % (x.name, sorted(revoked)))
            check(old <= x.assignment(), "%s lost partitions when c2 left" % x.name)
            gained = x.assignment() - old
            added = set().union(*x.assigns[nasg:]) if len(x.assigns) > nasg else set()
            check(added == gained, "%s: incremental assign %s, gained %s" % (x.name, sorted(added), sorted(gained)))
        check(set().union(*(x.assignment() - before[x.name][0] for x in members)) == c2_parts,
              "c2's partitions %s not what the others gained" % sorted(c2_parts))
        return c2_parts


def scenario_cooperative(b):
    topic, group = "memb-coop", "memb-coop-g"
    create_topic(b.bootstrap, topic, PARTITIONS)
    g = CoopGroup(b, topic, group)
    c1 = g.add("c1")
    members = g.members
    try:
        poll_all(members, lambda: len(c1.assignment()) == PARTITIONS, 30, "c1 to own all partitions")
        g.produce(600)
        poll_all(members, g.all_read, 30, "records read by c1 alone")
        g.join("c2")
        g.join("c3")
        poll_all(members, g.all_read, 30, g.unread_report)
        c2_parts = g.leave_c2()
        poll_all(members, g.all_read, 30, "every record after c2 left")
        settle(members, 0.5)
        # Commits happen only in on_revoke (and c2's close), so a partition
        # read by a second member was handed over at a committed offset.
        dups = g.tr.verify(g.ends)
        check(sum(dups.values()) == 0, "records read twice across cooperative rebalances: %s" % dups)
    finally:
        for m in members:
            m.close()
    return ("cooperative-sticky c1 -> +c2 -> +c3 -> -c2: joins revoke only the moved partitions (never all), "
            "c2's leave moves its %d partitions to c1/c3 with no revocation; %d records, none read twice"
            % (len(c2_parts), g.seq))


SCENARIOS = [scenario_leave, scenario_kill, scenario_static, scenario_cooperative]


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--victim":
        victim_main(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
        return
    run_cases(SCENARIOS, "scenario_", config=GROUP_TEST_CONFIG)


if __name__ == "__main__":
    main()
