"""KIP-848 consumer groups (ConsumerGroupHeartbeat) and timer precision,
against the real broker with a raw-protocol member (lib/kip848_member.py;
Debian's librdkafka 2.0.2 has no group.protocol=consumer):

1. churn: 1,000,000 records on 12 partitions read by a KIP-848 group whose
   10 members join and leave (one static member leaves with epoch -2 and
   comes back under a new member id) while a classic confluent-kafka group
   reads another topic on the same broker. Every offset is read exactly once
   (members commit before they release a partition, and a partition moves
   only after its owner released it); no partition is ever held by two
   members; every assignment change a member sees only adds or only removes
   partitions (incremental); each membership change happens while records
   are being read, once the previous one has reconciled (reading pauses 5%
   past a change's mark until it is made); the static member comes back
   with (part of) its partitions and no new group epoch; ListGroups shows
   both groups with their types.
2. conversion: a classic group (confluent-kafka) that becomes empty turns
   into a consumer group when a KIP-848 member joins (its committed offsets
   kept), and back into a classic group when that member leaves; a
   consumer group with members refuses classic members.
3. regex: a member subscribed by regex gets partitions of a topic created
   later, and of partitions added to it (CreatePartitions).
4. session_timer: a member (KIP-848 and classic) that stops heartbeating is
   removed within 20 ms after its session timeout, measured by polling the
   group description every millisecond. The broker wakes exactly at the
   deadline (no 50 ms tick); 20 ms is slack for a busy 2-core CI machine's
   scheduling latency, and the member is never removed early.
5. restart: members (one static) keep their ids and partitions, and their
   epochs are accepted, across a broker restart (the group's snapshot in __consumer_offsets).
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import GROUP_TEST_CONFIG, check, create_topic, run_cases, wait_until
from kafka_schema import SchemaConn, consumer_subscription
from kip848_member import Member, topic_id

SESSION_MS = 2000
CONFIG = dict(GROUP_TEST_CONFIG, **{
    "group.consumer.session.timeout.ms": str(SESSION_MS),
    "group.consumer.heartbeat.interval.ms": "100",
})
RECORDS = int(os.environ.get("SPATE_KIP848_RECORDS", "1000000"))
PARTITIONS = 12


def produce_many(bootstrap, topic, n):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.num.messages": 2000,
                  "batch.size": 1 << 20, "queue.buffering.max.messages": 2000000,
                  "enable.idempotence": True})
    for i in range(n):
        p.produce(topic, value=b"%08d" % i, partition=i % PARTITIONS)
        if i % 100000 == 0:
            p.poll(0)
    check(p.flush(60) == 0, "records left unsent")


def list_groups(port):
    conn = SchemaConn(port, client_id="list")
    try:
        r = conn.call("ListGroups", 5, {"StatesFilter": [], "TypesFilter": []})
    finally:
        conn.close()
    return {g["GroupId"]: (g["GroupType"], g["GroupState"], g["ProtocolType"]) for g in r["Groups"]}


def describe_consumer_group(port, group):
    conn = SchemaConn(port, client_id="describe")
    try:
        return conn.call("ConsumerGroupDescribe", 0, {"GroupIds": [group],
                                                      "IncludeAuthorizedOperations": False})["Groups"][0]
    finally:
        conn.close()


class Ledger:
    """Which offsets were read (each exactly once) and who holds what."""

    def __init__(self, per_partition):
        self.seen = {p: bytearray(n) for p, n in per_partition.items()}
        self.total = 0
        self.dupes = 0
        self.changes = 0
        self.not_incremental = []

    def consumed(self, member, p, first, last):
        seg = self.seen[p][first:last + 1]
        self.dupes += len(seg) - seg.count(0)
        self.seen[p][first:last + 1] = b"\x01" * (last - first + 1)
        self.total += last - first + 1

    def on_assignment(self, member, old, new):
        self.changes += 1
        if not (old <= new or new <= old):
            self.not_incremental.append((member.name, sorted(old), sorted(new)))


def check_disjoint(members):
    held = {}
    for m in members:
        for p in m.positions:
            check(p not in held, "partition %d held by %s and %s" % (p, held.get(p), m.name))
            held[p] = m.name


def classic_reader(bootstrap, topic, group, expect, out, stop):
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                  "enable.auto.commit": True, "session.timeout.ms": 6000})
    c.subscribe([topic])
    seen = set()
    deadline = time.monotonic() + 50
    while len(seen) < expect and time.monotonic() < deadline and not stop.is_set():
        for m in c.consume(1000, 0.2):
            if m.error() is None:
                key = (m.partition(), m.offset())
                if key in seen:
                    out["dupes"] = out.get("dupes", 0) + 1
                seen.add(key)
    out["read"] = len(seen)
    c.close()


def case_churn(b):
    port = b.port
    topic, classic_topic = "kip848-churn", "kip848-classic"
    create_topic(b.bootstrap, topic, PARTITIONS)
    create_topic(b.bootstrap, classic_topic, 3)
    t0 = time.monotonic()
    produce_many(b.bootstrap, topic, RECORDS)
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": b.bootstrap, "linger.ms": 5})
    for i in range(30000):
        p.produce(classic_topic, value=b"c%d" % i, partition=i % 3)
    check(p.flush(30) == 0, "classic records left unsent")
    produced_s = time.monotonic() - t0
    per_partition = {i: RECORDS // PARTITIONS + (1 if i < RECORDS % PARTITIONS else 0)
                     for i in range(PARTITIONS)}
    ledger = Ledger(per_partition)
    classic_out, stop = {}, threading.Event()
    classic = threading.Thread(target=classic_reader,
                               args=(b.bootstrap, classic_topic, "classic-group", 30000, classic_out,
                                     stop))
    classic.start()
    tid = topic_id(port, topic)
    members = [Member(port, "kip848", topic, tid, "m%d" % i, ledger.consumed, ledger.on_assignment,
                      instance_id="static-0" if i == 0 else None, partition_max_bytes=8 << 10)
               for i in range(10)]
    active = []

    def join(*idx):
        for i in idx:
            members[i].heartbeat()
            active.append(members[i])

    def leave(*idx, static=False):
        for i in idx:
            members[i].leave(static=static)
            active.remove(members[i])

    # (fraction of records read, action)
    static = {}

    def static_restart():
        # m0 (static) leaves with epoch -2 and comes back under a new member
        # id, as a restarted instance does: no new group epoch, and it gets
        # back (part of) what it held.
        m = members[0]
        static["parts"] = set(m.positions)
        static["group_epoch"] = describe_consumer_group(port, "kip848")["GroupEpoch"]
        leave(0, static=True)
        m.member_id = m.member_id[::-1]
        m.heartbeat()
        active.append(m)
        static["group_epoch_after"] = describe_consumer_group(port, "kip848")["GroupEpoch"]
        static["back_parts"] = set(m.positions)

    plan = [(0.0, lambda: join(0, 1, 2)), (0.1, lambda: join(3, 4, 5)), (0.25, lambda: leave(1)),
            (0.4, lambda: join(6, 7, 8)), (0.5, static_restart),
            (0.55, lambda: leave(3, 4)), (0.7, lambda: join(9)), (0.85, lambda: leave(6, 7))]
    listed = None
    steps_done = 0
    t1 = time.monotonic()
    deadline = t1 + 120
    while (ledger.total < RECORDS or plan) and time.monotonic() < deadline:
        # The next membership change once its share of the records is read and
        # the previous change has fully reconciled (the group is Stable).
        if plan and ledger.total >= plan[0][0] * RECORDS and (
                not active or describe_consumer_group(port, "kip848")["GroupState"] == "Stable"):
            plan.pop(0)[1]()
            if ledger.total < RECORDS:
                steps_done += 1
        # Reading waits for the next change when 5% past its mark, so every
        # change happens while records are being read.
        may_read = not plan or ledger.total < (plan[0][0] + 0.05) * RECORDS
        for m in list(active):
            m.step(fetch=may_read)
        check_disjoint(active)
        if listed is None and ledger.total > RECORDS // 2:
            listed = list_groups(port)
    consume_s = time.monotonic() - t1
    for m in list(active):
        m.leave()
    classic.join(50)
    stop.set()
    check(ledger.total == RECORDS and ledger.dupes == 0,
          "read %d of %d records, %d twice" % (ledger.total, RECORDS, ledger.dupes))
    missing = sum(v.count(0) for v in ledger.seen.values())
    check(missing == 0, "%d offsets never read" % missing)
    check(not ledger.not_incremental, "non-incremental assignment changes: %s" %
          ledger.not_incremental[:3])
    check(static["group_epoch_after"] == static["group_epoch"] and static["back_parts"] and
          static["back_parts"] <= static["parts"], "static member came back with %s" % static)
    check(classic_out.get("read") == 30000 and not classic_out.get("dupes"),
          "classic group read %s" % classic_out)
    check(listed and listed.get("kip848", ("",))[0] == "consumer" and
          listed.get("classic-group", ("",))[0] == "classic", "ListGroups: %s" % listed)
    check(steps_done == 8, "only %d of 8 membership changes while reading" % steps_done)
    return ("%d records (produced in %.1fs) read once in %.1fs by 10 members through 8 "
            "membership changes, %d assignment changes, all incremental; classic group alongside "
            "read 30000" % (RECORDS, produced_s, consume_s, ledger.changes))


def case_conversion(b):
    from confluent_kafka import Consumer
    port = b.port
    topic = "kip848-conv"
    create_topic(b.bootstrap, topic, 2)
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": b.bootstrap})
    for i in range(100):
        p.produce(topic, value=b"%d" % i, partition=i % 2)
    p.flush(30)
    # A classic group reads 50 records per partition and commits.
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "conv", "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "session.timeout.ms": 6000})
    c.subscribe([topic])
    got = 0
    deadline = time.monotonic() + 30
    while got < 100 and time.monotonic() < deadline:
        got += len([m for m in c.consume(100, 0.5) if m.error() is None])
    check(got == 100, "classic read %d" % got)
    c.commit(asynchronous=False)
    # While the classic member is there, a consumer member is refused.
    tid = topic_id(port, topic)
    m = Member(port, "conv", topic, tid, "k1", lambda *a: None)
    try:
        m.heartbeat()
        check(False, "a consumer member joined a classic group with members")
    except AssertionError as e:
        check("error 69" in str(e), "expected GROUP_ID_NOT_FOUND, got %s" % e)
    c.close()
    wait_until(lambda: list_groups(port)["conv"][1] == "Empty", 10, "classic group empty")
    m.heartbeat()
    check(list_groups(port)["conv"][0] == "consumer", "not converted: %s" % list_groups(port))
    check(m.positions == {0: 50, 1: 50}, "consumer member starts at %s" % m.positions)
    d = describe_consumer_group(port, "conv")
    check(d["ErrorCode"] == 0 and len(d["Members"]) == 1, "ConsumerGroupDescribe: %s" % d)
    # A classic member is refused while the consumer member is there...
    probe = SchemaConn(port, client_id="probe")
    j = probe.call("JoinGroup", 5, {"GroupId": "conv", "SessionTimeoutMs": 6000,
                                    "RebalanceTimeoutMs": 6000, "MemberId": "",
                                    "GroupInstanceId": None, "ProtocolType": "consumer",
                                    "Protocols": [{"Name": "range",
                                                   "Metadata": consumer_subscription([topic])}]})
    probe.close()
    check(j["ErrorCode"] == 23, "classic join to a consumer group: error %d" % j["ErrorCode"])
    # ...and the group turns classic again once the consumer member left.
    m.leave()
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "conv", "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "session.timeout.ms": 6000})
    c.subscribe([topic])
    wait_until(lambda: (c.poll(0.1), list_groups(port)["conv"][:2] == ("classic", "Stable"))[1], 20,
               "classic again")
    c.close()
    m.close()
    return "classic -> consumer (offsets kept) -> classic"


def case_regex(b):
    port = b.port
    create_topic(b.bootstrap, "rx-a", 2)
    m = Member(port, "rx", "rx-b", None, "r1", lambda *a: None, regex="rx-.*")
    m.heartbeat()
    d = describe_consumer_group(port, "rx")["Members"][0]
    check(d["SubscribedTopicRegex"] == "rx-.*", "regex not described: %s" % d)
    check(sum(len(t["Partitions"]) for t in d["Assignment"]["TopicPartitions"]) == 2,
          "regex assignment: %s" % d["Assignment"])
    create_topic(b.bootstrap, "rx-b", 3)

    def count():
        m.heartbeat()
        a = describe_consumer_group(port, "rx")["Members"][0]["Assignment"]["TopicPartitions"]
        return {t["TopicName"]: len(t["Partitions"]) for t in a}
    wait_until(lambda: count() == {"rx-a": 2, "rx-b": 3}, 10, "new topic assigned")
    from confluent_kafka.admin import AdminClient, NewPartitions
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    for f in admin.create_partitions([NewPartitions("rx-b", 5)]).values():
        f.result(30)
    wait_until(lambda: count() == {"rx-a": 2, "rx-b": 5}, 10, "added partitions assigned")
    m.leave()
    m.close()
    return "regex picked up a new topic and its added partitions"


def measure_removal(poll_present, last_sent, last_received, session_ms):
    """Polls until the member is gone; returns (ms after the latest possible
    deadline it was seen gone, whether it was still there shortly before the
    earliest possible deadline)."""
    early_check = last_sent + session_ms / 1000.0 - 0.03
    while time.monotonic() < early_check - 0.05:
        time.sleep(0.01)
    while time.monotonic() < early_check:
        pass
    present_before = poll_present()
    while poll_present():
        if time.monotonic() > last_received + session_ms / 1000.0 + 5:
            raise AssertionError("member never removed")
        time.sleep(0.0005)
    gone_at = time.monotonic()
    return (gone_at - (last_received + session_ms / 1000.0)) * 1000.0, present_before


def case_session_timer(b):
    port = b.port
    create_topic(b.bootstrap, "timer", 1)
    tid = topic_id(port, "timer")
    probe = SchemaConn(port, client_id="probe")
    results = []
    for attempt in range(2):
        m = Member(port, "timer-k", "timer", tid, "t%d" % attempt, lambda *a: None)
        m.heartbeat()
        time.sleep(0.3)
        sent = time.monotonic()
        m.heartbeat()
        received = time.monotonic()

        def present():
            g = probe.call("ConsumerGroupDescribe", 0, {"GroupIds": ["timer-k"],
                                                        "IncludeAuthorizedOperations": False})
            return any(x["MemberId"] == m.member_id for x in g["Groups"][0]["Members"])
        late, before = measure_removal(present, sent, received, SESSION_MS)
        check(before, "KIP-848 member removed before its session timeout")
        check(late < 20, "KIP-848 member removed %.1f ms after its session timeout" % late)
        results.append("consumer %.1f ms" % late)
        m.close()
    # Classic member: JoinGroup + SyncGroup, then Heartbeat once and go silent.
    conn = SchemaConn(port, client_id="classic")
    join = {"GroupId": "timer-c", "SessionTimeoutMs": 1000, "RebalanceTimeoutMs": 1000,
            "MemberId": "", "GroupInstanceId": None, "ProtocolType": "consumer",
            "Protocols": [{"Name": "range", "Metadata": consumer_subscription(["timer"])}]}
    j = conn.call("JoinGroup", 5, join)
    if j["ErrorCode"] == 79:  # MEMBER_ID_REQUIRED
        join["MemberId"] = j["MemberId"]
        j = conn.call("JoinGroup", 5, join)
    check(j["ErrorCode"] == 0, "JoinGroup: %d" % j["ErrorCode"])
    s = conn.call("SyncGroup", 3, {"GroupId": "timer-c", "GenerationId": j["GenerationId"],
                                   "MemberId": j["MemberId"], "GroupInstanceId": None,
                                   "Assignments": [{"MemberId": j["MemberId"], "Assignment": b""}]})
    check(s["ErrorCode"] == 0, "SyncGroup: %d" % s["ErrorCode"])
    time.sleep(0.3)
    sent = time.monotonic()
    h = conn.call("Heartbeat", 3, {"GroupId": "timer-c", "GenerationId": j["GenerationId"],
                                   "MemberId": j["MemberId"], "GroupInstanceId": None})
    received = time.monotonic()
    check(h["ErrorCode"] == 0, "Heartbeat: %d" % h["ErrorCode"])

    def classic_present():
        g = probe.call("DescribeGroups", 4, {"Groups": ["timer-c"],
                                             "IncludeAuthorizedOperations": False})
        return bool(g["Groups"][0]["Members"])
    late, before = measure_removal(classic_present, sent, received, 1000)
    check(before, "classic member removed before its session timeout")
    check(late < 20, "classic member removed %.1f ms after its session timeout" % late)
    results.append("classic %.1f ms" % late)
    conn.close()
    probe.close()
    return "silent members removed after their session timeout: " + ", ".join(results)


def case_restart(b):
    port = b.port
    topic = "kip848-restart"
    create_topic(b.bootstrap, topic, 4)
    tid = topic_id(port, topic)
    ms = [Member(port, "rs", topic, tid, "rs%d" % i, lambda *a: None,
                 instance_id="rs-static" if i == 1 else None) for i in range(2)]

    def settled():
        for m in ms:
            m.heartbeat()
        return describe_consumer_group(port, "rs")["GroupState"] == "Stable"
    wait_until(settled, 10, "group rs stable")
    before = {m.member_id: set(m.positions) for m in ms}
    check(all(before.values()), "members without partitions: %s" % before)
    b.restart()
    for m in ms:
        m.conn.close()
        m.conn = SchemaConn(b.port, client_id=m.name)
        m.heartbeat()  # raises unless the member and its epoch are known
    after = {m.member_id: set(m.positions) for m in ms}
    check(after == before, "assignments after the restart %s, before %s" % (after, before))
    d = describe_consumer_group(b.port, "rs")
    check(sorted(x["MemberId"] for x in d["Members"]) == sorted(before),
          "members after the restart: %s" % d["Members"])
    for m in ms:
        m.leave()
        m.close()
    return "2 members kept their ids, epochs and partitions across a broker restart"


if __name__ == "__main__":
    run_cases([case_session_timer, case_regex, case_conversion, case_churn, case_restart], "case_",
              config=CONFIG)
