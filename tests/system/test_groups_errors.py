"""Consumer-group error paths over hand-built requests (encoded from the
protocol's JSON schemas, lib/kafka_schema.py), each checked against the
error code Kafka returns:
MEMBER_ID_REQUIRED (79), INCONSISTENT_GROUP_PROTOCOL (23, also between two
confluent-kafka consumers with different assignors), ILLEGAL_GENERATION (22),
UNKNOWN_MEMBER_ID (25), REBALANCE_IN_PROGRESS (27), FENCED_INSTANCE_ID (82),
INVALID_SESSION_TIMEOUT (26), NON_EMPTY_GROUP (68), GROUP_ID_NOT_FOUND (69),
simple commits and OffsetFetch v8 of several groups, OffsetDelete (47:
GROUP_SUBSCRIBED_TO_TOPIC 86), ListGroups v4 state filter and v5 type filter.

Every case runs even when an earlier one fails; the file fails if any did."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import GROUP_TEST_CONFIG, check, create_topic, run_cases, wait_until
from kafka_schema import (SchemaConn, consumer_assignment, consumer_subscription,
                          parse_consumer_assignment)

TOPIC = "errs"
OTHER_TOPIC = "errs-other"
PARTITIONS = 4

NONE = 0
ILLEGAL_GENERATION = 22
INCONSISTENT_GROUP_PROTOCOL = 23
UNKNOWN_MEMBER_ID = 25
INVALID_SESSION_TIMEOUT = 26
REBALANCE_IN_PROGRESS = 27
NON_EMPTY_GROUP = 68
GROUP_ID_NOT_FOUND = 69
MEMBER_ID_REQUIRED = 79
FENCED_INSTANCE_ID = 82
GROUP_SUBSCRIBED_TO_TOPIC = 86


class Member:
    """One raw group member on its own connection (JoinGroup v5, SyncGroup
    v3, Heartbeat v3, OffsetCommit v7: the versions with group.instance.id)."""

    def __init__(self, port, group, instance=None, protocols=None, session_ms=10000,
                 rebalance_ms=10000, protocol_type="consumer", name="m"):
        self.conn = SchemaConn(port, client_id="raw-" + name)
        self.group = group
        self.instance = instance
        self.protocols = [("range", consumer_subscription([TOPIC]))] if protocols is None else protocols
        self.session_ms = session_ms
        self.rebalance_ms = rebalance_ms
        self.protocol_type = protocol_type
        self.member_id = ""
        self.generation = -1
        self.leader = None
        self.members = []

    def join_request(self, member_id=None):
        return {"GroupId": self.group, "SessionTimeoutMs": self.session_ms,
                "RebalanceTimeoutMs": self.rebalance_ms,
                "MemberId": self.member_id if member_id is None else member_id,
                "GroupInstanceId": self.instance, "ProtocolType": self.protocol_type,
                "Protocols": [{"Name": n, "Metadata": m} for n, m in self.protocols]}

    def send_join(self, version=5, member_id=None):
        self.conn.send("JoinGroup", version, self.join_request(member_id))

    def recv_join(self, timeout=20.0):
        r = self.conn.recv(timeout)
        if r["ErrorCode"] in (NONE, MEMBER_ID_REQUIRED):
            self.member_id = r["MemberId"]
        if r["ErrorCode"] == NONE:
            self.generation = r["GenerationId"]
            self.leader = r["Leader"]
            self.members = r["Members"]
        return r

    def join(self, version=5, timeout=20.0):
        """JoinGroup with the KIP-394 round trip: returns the final response."""
        self.send_join(version)
        r = self.recv_join(timeout)
        if r["ErrorCode"] == MEMBER_ID_REQUIRED:
            self.send_join(version)
            r = self.recv_join(timeout)
        return r

    def sync(self, assignments=None, generation=None, member_id=None):
        r = self.conn.call("SyncGroup", 3, {
            "GroupId": self.group,
            "GenerationId": self.generation if generation is None else generation,
            "MemberId": self.member_id if member_id is None else member_id,
            "GroupInstanceId": self.instance,
            "Assignments": [{"MemberId": m, "Assignment": a} for m, a in (assignments or {}).items()]})
        return r

    def join_and_sync_alone(self):
        """Joins as the only member and takes every partition."""
        r = self.join()
        check(r["ErrorCode"] == NONE, "join: error %d" % r["ErrorCode"])
        check(r["Leader"] == self.member_id, "sole member is not the leader")
        r = self.sync({self.member_id: consumer_assignment({TOPIC: list(range(PARTITIONS))})})
        check(r["ErrorCode"] == NONE, "sync: error %d" % r["ErrorCode"])
        return r

    def heartbeat(self, generation=None, member_id=None, instance=False):
        return self.conn.call("Heartbeat", 3, {
            "GroupId": self.group,
            "GenerationId": self.generation if generation is None else generation,
            "MemberId": self.member_id if member_id is None else member_id,
            "GroupInstanceId": self.instance if instance is False else instance})["ErrorCode"]

    def commit(self, offsets, generation=None, member_id=None):
        """Per-partition error codes {partition: code} of an OffsetCommit v7."""
        r = self.conn.call("OffsetCommit", 7, commit_request(
            self.group, offsets, self.generation if generation is None else generation,
            self.member_id if member_id is None else member_id, self.instance))
        return {p["PartitionIndex"]: p["ErrorCode"] for t in r["Topics"] for p in t["Partitions"]}

    def leave(self):
        r = self.conn.call("LeaveGroup", 3, {"GroupId": self.group, "Members": [
            {"MemberId": self.member_id, "GroupInstanceId": self.instance}]})
        return r["ErrorCode"]

    def close(self):
        self.conn.close()


def commit_request(group, offsets, generation=-1, member_id="", instance=None, topic=TOPIC):
    return {"GroupId": group, "GenerationIdOrMemberEpoch": generation, "MemberId": member_id,
            "GroupInstanceId": instance,
            "Topics": [{"Name": topic, "Partitions": [
                {"PartitionIndex": p, "CommittedOffset": o, "CommittedLeaderEpoch": -1,
                 "CommittedMetadata": "m"} for p, o in sorted(offsets.items())]}]}


def simple_commit(conn, group, offsets, topic=TOPIC):
    r = conn.call("OffsetCommit", 8, commit_request(group, offsets, topic=topic))
    return {p["PartitionIndex"]: p["ErrorCode"] for t in r["Topics"] for p in t["Partitions"]}


def fetch_offsets(conn, groups):
    """OffsetFetch v8 of several groups (all topics): {group: (error, {(topic, p): offset})}."""
    r = conn.call("OffsetFetch", 8, {"Groups": [{"GroupId": g, "Topics": None} for g in groups],
                                     "RequireStable": False})
    out = {}
    for g in r["Groups"]:
        offs = {}
        for t in g["Topics"]:
            for p in t["Partitions"]:
                check(p["ErrorCode"] == NONE, "%s %s/%d: error %d" % (g["GroupId"], t["Name"],
                                                                     p["PartitionIndex"], p["ErrorCode"]))
                offs[(t["Name"], p["PartitionIndex"])] = p["CommittedOffset"]
        out[g["GroupId"]] = (g["ErrorCode"], offs)
    return out


def list_groups(conn, version, states=None, types=None):
    values = {}
    if states is not None:
        values["StatesFilter"] = states
    if types is not None:
        values["TypesFilter"] = types
    r = conn.call("ListGroups", version, values)
    check(r["ErrorCode"] == NONE, "ListGroups v%d: error %d" % (version, r["ErrorCode"]))
    return r["Groups"]


def delete_groups(conn, groups):
    r = conn.call("DeleteGroups", 2, {"GroupsNames": groups})
    return {x["GroupId"]: x["ErrorCode"] for x in r["Results"]}


def api_versions(conn):
    r = conn.call("ApiVersions", 3, {"ClientSoftwareName": "raw-test", "ClientSoftwareVersion": "1"})
    check(r["ErrorCode"] == NONE, "ApiVersions: error %d" % r["ErrorCode"])
    return {a["ApiKey"]: (a["MinVersion"], a["MaxVersion"]) for a in r["ApiKeys"]}


# ---- cases ----------------------------------------------------------------

def case_member_id_required(b):
    for version in (4, 6):  # v6: the first flexible JoinGroup
        m = Member(b.port, "g-required-v%d" % version)
        try:
            m.send_join(version)
            r = m.recv_join()
            check(r["ErrorCode"] == MEMBER_ID_REQUIRED,
                  "v%d join without member id: error %d, want MEMBER_ID_REQUIRED" % (version, r["ErrorCode"]))
            check(r["MemberId"], "MEMBER_ID_REQUIRED without a member id")
            given = r["MemberId"]
            m.send_join(version)
            r = m.recv_join()
            check(r["ErrorCode"] == NONE, "v%d rejoin with the given id: error %d" % (version, r["ErrorCode"]))
            check(r["MemberId"] == given and r["GenerationId"] == 1,
                  "rejoin: member %r gen %d (given %r)" % (r["MemberId"], r["GenerationId"], given))
        finally:
            m.close()
    # v3 and below: no round trip.
    m = Member(b.port, "g-required-v3")
    try:
        m.send_join(3)
        r = m.recv_join()
        check(r["ErrorCode"] == NONE and r["MemberId"], "v3 join: error %d" % r["ErrorCode"])
    finally:
        m.close()
    return "JoinGroup v4/v6 without member id -> MEMBER_ID_REQUIRED (79) + id; rejoin -> gen 1; v3 joins directly"


def case_inconsistent_protocol(b):
    a = Member(b.port, "g-proto", name="a")
    c = Member(b.port, "g-proto", protocols=[("roundrobin", consumer_subscription([TOPIC]))], name="c")
    d = Member(b.port, "g-proto", protocol_type="connect", name="d")
    try:
        a.join_and_sync_alone()
        r = c.join()
        check(r["ErrorCode"] == INCONSISTENT_GROUP_PROTOCOL,
              "join with only 'roundrobin' into a 'range' group: error %d" % r["ErrorCode"])
        r = d.join()
        check(r["ErrorCode"] == INCONSISTENT_GROUP_PROTOCOL,
              "join with protocol type 'connect' into a 'consumer' group: error %d" % r["ErrorCode"])
        check(a.heartbeat() == NONE, "existing member disturbed by a rejected joiner")
        # An empty protocol list is inconsistent too.
        e = Member(b.port, "g-proto-empty", protocols=[], name="e")
        try:
            r = e.join()
            check(r["ErrorCode"] == INCONSISTENT_GROUP_PROTOCOL, "join with no protocols: error %d"
                  % r["ErrorCode"])
        finally:
            e.close()
    finally:
        for m in (a, c, d):
            m.close()
    return "'roundrobin'-only / protocol type 'connect' joiner / no protocols -> INCONSISTENT_GROUP_PROTOCOL (23); member unaffected"


def case_inconsistent_protocol_clients(b):
    from confluent_kafka import Consumer, KafkaError
    group = "g-proto-clients"

    def consumer(strategy):
        return Consumer({"bootstrap.servers": b.bootstrap, "group.id": group,
                         "partition.assignment.strategy": strategy, "session.timeout.ms": 6000,
                         "heartbeat.interval.ms": 300, "auto.offset.reset": "earliest"})

    a = consumer("range")
    r = consumer("roundrobin")
    try:
        a.subscribe([TOPIC])
        wait_until(lambda: a.consume(100, 0.1) is not None and len(a.assignment()) == PARTITIONS, 30,
                   "the 'range' consumer's assignment")
        r.subscribe([TOPIC])
        errors = []

        def saw_error():
            for m in r.consume(100, 0.1):
                if m.error():
                    errors.append(m.error())
            a.consume(100, 0.05)
            return any(e.code() == KafkaError.INCONSISTENT_GROUP_PROTOCOL for e in errors)

        wait_until(saw_error, 20, lambda: "INCONSISTENT_GROUP_PROTOCOL at the 'roundrobin' consumer; "
                   "errors %s, its assignment %s" % (errors, r.assignment()))
        check(not r.assignment(), "the rejected consumer has partitions: %s" % r.assignment())
        check(len(a.assignment()) == PARTITIONS, "the 'range' consumer lost partitions: %s" % a.assignment())
    finally:
        a.close()
        r.close()
    return "confluent-kafka 'roundrobin' consumer joining a 'range' group sees INCONSISTENT_GROUP_PROTOCOL, gets nothing; the other keeps all partitions"


def case_illegal_generation(b):
    a = Member(b.port, "g-gen", name="a")
    try:
        a.join_and_sync_alone()
        g = a.generation
        r = a.sync({a.member_id: b""}, generation=g + 7)
        check(r["ErrorCode"] == ILLEGAL_GENERATION, "SyncGroup with gen %d (current %d): error %d"
              % (g + 7, g, r["ErrorCode"]))
        e = a.heartbeat(generation=g + 7)
        check(e == ILLEGAL_GENERATION, "Heartbeat with a wrong generation: error %d" % e)
        e = a.heartbeat(generation=g - 1)
        check(e == ILLEGAL_GENERATION, "Heartbeat with an old generation: error %d" % e)
        errs = a.commit({0: 5, 1: 6}, generation=g + 7)
        check(set(errs.values()) == {ILLEGAL_GENERATION}, "OffsetCommit with a wrong generation: %s" % errs)
        errs = a.commit({0: 5, 1: 6})
        check(set(errs.values()) == {NONE}, "OffsetCommit with the right generation: %s" % errs)
        check(a.heartbeat() == NONE, "heartbeat with the current generation failed")
    finally:
        a.close()
    return "SyncGroup/Heartbeat/OffsetCommit with a wrong generation -> ILLEGAL_GENERATION (22); right one -> 0"


def case_unknown_member(b):
    a = Member(b.port, "g-unknown", name="a")
    x = Member(b.port, "g-unknown", name="x")
    try:
        a.join_and_sync_alone()
        x.generation = a.generation
        e = x.heartbeat(member_id="no-such-member")
        check(e == UNKNOWN_MEMBER_ID, "Heartbeat of an unknown member: error %d" % e)
        r = x.sync({}, member_id="no-such-member")
        check(r["ErrorCode"] == UNKNOWN_MEMBER_ID, "SyncGroup of an unknown member: error %d" % r["ErrorCode"])
        errs = x.commit({0: 1}, member_id="no-such-member")
        check(set(errs.values()) == {UNKNOWN_MEMBER_ID}, "OffsetCommit of an unknown member: %s" % errs)
        x.send_join(5, member_id="no-such-member")
        r = x.recv_join()
        check(r["ErrorCode"] == UNKNOWN_MEMBER_ID, "JoinGroup with an unknown member id: error %d" % r["ErrorCode"])
        # A simple commit (generation -1, no member) into a non-empty group.
        errs = simple_commit(x.conn, "g-unknown", {0: 1})
        check(set(errs.values()) == {UNKNOWN_MEMBER_ID}, "simple commit into an active group: %s" % errs)
        # Heartbeat to a group that does not exist.
        e = x.conn.call("Heartbeat", 3, {"GroupId": "g-never-created", "GenerationId": 1,
                                         "MemberId": "m", "GroupInstanceId": None})["ErrorCode"]
        check(e == UNKNOWN_MEMBER_ID, "Heartbeat to an unknown group: error %d" % e)
        # A member that left is unknown afterwards.
        check(a.leave() == NONE, "LeaveGroup failed")
        e = a.heartbeat()
        check(e == UNKNOWN_MEMBER_ID, "Heartbeat after LeaveGroup: error %d" % e)
    finally:
        a.close()
        x.close()
    return ("Heartbeat/SyncGroup/OffsetCommit/JoinGroup of unknown member, simple commit into an active group, "
            "heartbeat to a missing group, after LeaveGroup -> UNKNOWN_MEMBER_ID (25)")


def case_rebalance_in_progress(b):
    a = Member(b.port, "g-rebalance", name="a")
    c = Member(b.port, "g-rebalance", name="c")
    try:
        a.join_and_sync_alone()
        gen1 = a.generation
        c.send_join(5)
        r = c.recv_join()
        check(r["ErrorCode"] == MEMBER_ID_REQUIRED, "second member's first join: %d" % r["ErrorCode"])
        c.send_join(5)  # waits for the rebalance to complete
        time.sleep(0.2)  # let the broker process the join (it does not answer until A rejoins)
        e = a.heartbeat()
        check(e == REBALANCE_IN_PROGRESS, "heartbeat while a member joins: error %d" % e)
        check(not c.conn.ready(0.1), "the joiner was answered before the rebalance completed")
        a.send_join(5)
        ra = a.recv_join()
        rc = c.recv_join()
        check(ra["ErrorCode"] == NONE and rc["ErrorCode"] == NONE, "rejoin errors %d / %d"
              % (ra["ErrorCode"], rc["ErrorCode"]))
        check(ra["GenerationId"] == rc["GenerationId"] == gen1 + 1, "generations %d / %d, want %d"
              % (ra["GenerationId"], rc["GenerationId"], gen1 + 1))
        check(ra["Leader"] == rc["Leader"], "members disagree about the leader")
        leader, follower = (a, c) if ra["Leader"] == a.member_id else (c, a)
        check(len(leader.members) == 2 and not follower.members,
              "leader got %d member entries, follower %d" % (len(leader.members), len(follower.members)))
        # CompletingRebalance: the follower's SyncGroup waits for the leader's.
        follower.conn.send("SyncGroup", 3, {"GroupId": follower.group, "GenerationId": follower.generation,
                                            "MemberId": follower.member_id, "GroupInstanceId": None,
                                            "Assignments": []})
        e = leader.heartbeat()
        check(e in (NONE, REBALANCE_IN_PROGRESS), "leader heartbeat in CompletingRebalance: %d" % e)
        errs = leader.commit({0: 1})
        check(set(errs.values()) == {REBALANCE_IN_PROGRESS},
              "OffsetCommit while awaiting the leader's assignment: %s" % errs)
        check(not follower.conn.ready(0.1), "follower's SyncGroup answered before the leader's")
        want = {leader.member_id: {TOPIC: [0, 1]}, follower.member_id: {TOPIC: [2, 3]}}
        r = leader.sync({m: consumer_assignment(p) for m, p in want.items()})
        check(r["ErrorCode"] == NONE, "leader sync: %d" % r["ErrorCode"])
        check(parse_consumer_assignment(r["Assignment"]) == want[leader.member_id], "leader's assignment")
        rf = follower.conn.recv(10)
        check(rf["ErrorCode"] == NONE, "follower sync: %d" % rf["ErrorCode"])
        check(parse_consumer_assignment(rf["Assignment"]) == want[follower.member_id],
              "follower's assignment %s" % parse_consumer_assignment(rf["Assignment"]))
        check(a.heartbeat() == NONE and c.heartbeat() == NONE, "heartbeats after the rebalance")
    finally:
        a.close()
        c.close()
    return ("heartbeat while a member joins -> REBALANCE_IN_PROGRESS (27); commit in CompletingRebalance -> 27; "
            "both rejoin at gen+1; follower's SyncGroup waits for and receives the leader's assignment")


def case_fenced_instance(b):
    s1 = Member(b.port, "g-static", instance="inst-1", name="s1")
    s2 = Member(b.port, "g-static", instance="inst-1", name="s2")
    try:
        s1.join_and_sync_alone()
        old = s1.member_id
        r = s2.join()  # same instance id, no member id: takes over the entry
        check(r["ErrorCode"] == NONE, "static rejoin: error %d" % r["ErrorCode"])
        check(s2.member_id != old, "takeover kept the old member id")
        e = s1.heartbeat()
        check(e == FENCED_INSTANCE_ID, "heartbeat with the replaced member id: error %d" % e)
        errs = s1.commit({0: 3})
        check(set(errs.values()) == {FENCED_INSTANCE_ID}, "OffsetCommit of the fenced member: %s" % errs)
        s1.send_join(5)  # old member id + instance id
        r = s1.recv_join()
        check(r["ErrorCode"] == FENCED_INSTANCE_ID, "JoinGroup with the fenced member id: error %d" % r["ErrorCode"])
        r = s1.sync({}, generation=s2.generation)
        check(r["ErrorCode"] == FENCED_INSTANCE_ID, "SyncGroup of the fenced member: error %d" % r["ErrorCode"])
    finally:
        s1.close()
        s2.close()
    return "static member replaced by a new join of its instance id: old id fenced on Heartbeat/OffsetCommit/JoinGroup/SyncGroup (82)"


def case_invalid_session_timeout(b):
    for ms in (500, 1800001):  # below group.min (1000 here) / above group.max (default 1800000)
        m = Member(b.port, "g-session", session_ms=ms)
        try:
            r = m.join()
            check(r["ErrorCode"] == INVALID_SESSION_TIMEOUT, "session timeout %d: error %d" % (ms, r["ErrorCode"]))
        finally:
            m.close()
    return "JoinGroup with session timeout 500 ms (< min 1000) and 1800001 ms (> max) -> INVALID_SESSION_TIMEOUT (26)"


def case_delete_groups(b):
    a = Member(b.port, "g-del-active", name="a")
    conn = SchemaConn(b.port)
    try:
        a.join_and_sync_alone()
        check(simple_commit(conn, "g-del-empty", {0: 10}) == {0: NONE}, "simple commit to an empty group")
        res = delete_groups(conn, ["g-del-active", "g-del-empty", "g-del-missing"])
        check(res == {"g-del-active": NON_EMPTY_GROUP, "g-del-empty": NONE, "g-del-missing": GROUP_ID_NOT_FOUND},
              "DeleteGroups results %s" % res)
        got = fetch_offsets(conn, ["g-del-empty"])["g-del-empty"]
        check(got == (NONE, {}), "offsets of a deleted group: %s" % (got,))
        check(a.heartbeat() == NONE, "active member broken by DeleteGroups")
        res = delete_groups(conn, ["g-del-empty"])
        check(res == {"g-del-empty": GROUP_ID_NOT_FOUND}, "second delete: %s" % res)
    finally:
        a.close()
        conn.close()
    return "DeleteGroups: active -> NON_EMPTY_GROUP (68), empty -> 0 (offsets gone), missing/deleted -> GROUP_ID_NOT_FOUND (69)"


def case_offset_fetch_groups(b):
    conn = SchemaConn(b.port)
    try:
        check(simple_commit(conn, "g-of-1", {0: 11, 1: 12}) == {0: NONE, 1: NONE}, "simple commit g-of-1")
        check(simple_commit(conn, "g-of-2", {2: 22}) == {2: NONE}, "simple commit g-of-2")
        check(simple_commit(conn, "g-of-2", {0: 7}, topic=OTHER_TOPIC) == {0: NONE}, "simple commit g-of-2 other")
        check(simple_commit(conn, "g-of-1", {1: 13}) == {1: NONE}, "second simple commit g-of-1")
        got = fetch_offsets(conn, ["g-of-1", "g-of-2", "g-of-none"])
        want = {"g-of-1": (NONE, {(TOPIC, 0): 11, (TOPIC, 1): 13}),
                "g-of-2": (NONE, {(TOPIC, 2): 22, (OTHER_TOPIC, 0): 7}),
                "g-of-none": (NONE, {})}
        check(got == want, "OffsetFetch v8 of three groups:\n got %s\nwant %s" % (got, want))
        # Named partitions: a partition without an offset answers -1.
        r = conn.call("OffsetFetch", 8, {"Groups": [
            {"GroupId": "g-of-1", "Topics": [{"Name": TOPIC, "PartitionIndexes": [1, 3]}]}]})
        parts = {p["PartitionIndex"]: p["CommittedOffset"] for p in r["Groups"][0]["Topics"][0]["Partitions"]}
        check(parts == {1: 13, 3: -1}, "OffsetFetch of partitions 1 and 3: %s" % parts)
        # Older single-group version agrees.
        r = conn.call("OffsetFetch", 7, {"GroupId": "g-of-2", "Topics": None, "RequireStable": False})
        v7 = {(t["Name"], p["PartitionIndex"]): p["CommittedOffset"] for t in r["Topics"] for p in t["Partitions"]}
        check(v7 == want["g-of-2"][1], "OffsetFetch v7 of g-of-2: %s" % v7)
    finally:
        conn.close()
    return "simple commits (gen -1, no member) to empty groups; OffsetFetch v8 returns each of 3 groups' offsets; named partitions; v7 agrees"


def case_offset_delete(b):
    conn = SchemaConn(b.port)
    versions = api_versions(conn)
    check(47 in versions, "OffsetDelete (47) is not advertised in ApiVersions: %s" % sorted(versions))
    a = Member(b.port, "g-odel-active", protocols=[("range", consumer_subscription([TOPIC]))], name="a")
    try:
        check(simple_commit(conn, "g-odel-empty", {0: 5, 1: 6}) == {0: NONE, 1: NONE}, "commit g-odel-empty")

        def offset_delete(group, topic, parts):
            r = conn.call("OffsetDelete", 0, {"GroupId": group, "Topics": [
                {"Name": topic, "Partitions": [{"PartitionIndex": p} for p in parts]}]})
            return r["ErrorCode"], {p["PartitionIndex"]: p["ErrorCode"]
                                    for t in r["Topics"] for p in t["Partitions"]}

        top, parts = offset_delete("g-odel-empty", TOPIC, [0])
        check(top == NONE and parts == {0: NONE}, "OffsetDelete in an empty group: %d %s" % (top, parts))
        got = fetch_offsets(conn, ["g-odel-empty"])["g-odel-empty"][1]
        check(got == {(TOPIC, 1): 6}, "offsets after deleting partition 0: %s" % got)

        a.join_and_sync_alone()
        check(set(a.commit({0: 1, 1: 2}).values()) == {NONE}, "commit by the active member")
        check(simple_commit(conn, "g-odel-other", {0: 1}, topic=OTHER_TOPIC) == {0: NONE}, "commit other")
        top, parts = offset_delete("g-odel-active", TOPIC, [0, 1])
        check(top == NONE and parts == {0: GROUP_SUBSCRIBED_TO_TOPIC, 1: GROUP_SUBSCRIBED_TO_TOPIC},
              "OffsetDelete of a subscribed topic: top %d, partitions %s" % (top, parts))
        top, _ = offset_delete("g-odel-missing", TOPIC, [0])
        check(top == GROUP_ID_NOT_FOUND, "OffsetDelete of a missing group: %d" % top)
    finally:
        a.close()
        conn.close()
    return "OffsetDelete (47): empty group -> 0 and the offset is gone; subscribed topic of an active group -> GROUP_SUBSCRIBED_TO_TOPIC (86); missing group -> 69"


def case_list_groups(b):
    a = Member(b.port, "g-list-stable", name="a")
    conn = SchemaConn(b.port)
    try:
        a.join_and_sync_alone()
        check(simple_commit(conn, "g-list-empty", {0: 1}) == {0: NONE}, "commit g-list-empty")
        mine = {"g-list-stable", "g-list-empty"}

        def names(groups):
            return {g["GroupId"] for g in groups} & mine

        allg = list_groups(conn, 4)
        states = {g["GroupId"]: g["GroupState"] for g in allg if g["GroupId"] in mine}
        check(states == {"g-list-stable": "Stable", "g-list-empty": "Empty"}, "ListGroups v4 states %s" % states)
        check(names(list_groups(conn, 4, states=["Empty"])) == {"g-list-empty"}, "v4 filter Empty")
        check(names(list_groups(conn, 4, states=["Stable"])) == {"g-list-stable"}, "v4 filter Stable")
        check(names(list_groups(conn, 4, states=["Stable", "Empty"])) == mine, "v4 filter Stable+Empty")
        check(names(list_groups(conn, 4, states=["Dead"])) == set(), "v4 filter Dead")
        check(all(g["GroupState"] == "Empty" for g in list_groups(conn, 4, states=["Empty"])),
              "v4 filter Empty returned a group in another state")

        versions = api_versions(conn)
        check(versions.get(16, (0, 0))[1] >= 5, "ListGroups v5 not served (versions %s)" % (versions.get(16),))
        g5 = {g["GroupId"]: g for g in list_groups(conn, 5) if g["GroupId"] in mine}
        check(set(g5) == mine, "ListGroups v5 without filters: %s" % sorted(g5))
        check(all(g["GroupType"] == "classic" for g in g5.values()), "v5 group types %s"
              % {k: g["GroupType"] for k, g in g5.items()})
        check(names(list_groups(conn, 5, types=["classic"])) == mine, "v5 types filter 'classic'")
        check(names(list_groups(conn, 5, types=["consumer"])) == set(), "v5 types filter 'consumer'")
        check(names(list_groups(conn, 5, states=["Stable"], types=["classic"])) == {"g-list-stable"},
              "v5 states Stable + types classic")
    finally:
        a.close()
        conn.close()
    return "ListGroups v4 states filter (Empty/Stable/both/Dead); v5 GroupType 'classic' and types filter classic/consumer"


CASES = [case_member_id_required, case_inconsistent_protocol, case_inconsistent_protocol_clients,
         case_illegal_generation, case_unknown_member, case_rebalance_in_progress, case_fenced_instance,
         case_invalid_session_timeout, case_delete_groups, case_offset_fetch_groups, case_offset_delete,
         case_list_groups]


def setup(b):
    create_topic(b.bootstrap, TOPIC, PARTITIONS)
    create_topic(b.bootstrap, OTHER_TOPIC, 1)


def main():
    run_cases(CASES, "case_", setup=setup, config=GROUP_TEST_CONFIG)


if __name__ == "__main__":
    main()
