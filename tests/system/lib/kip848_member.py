"""A KIP-848 consumer group member over the raw protocol (kafka_schema.py):
ConsumerGroupHeartbeat v1 (client-chosen member id), OffsetCommit/OffsetFetch
v9 with the member epoch, and Fetch v12 reading only record batch headers, so
a test can consume millions of records from Python.

Debian's librdkafka (2.0.2) has no group.protocol=consumer, hence this client.
It behaves as the Kafka 4 consumer does: on an assignment that drops
partitions it commits their positions and reports them released in its next
heartbeat (sent at once); new partitions start at their committed offset.
"""

import random
import string
import struct
import time

from kafka_schema import SchemaConn


def new_member_id():
    return "".join(random.choice(string.ascii_letters + string.digits) for _ in range(22))


def batches(records):
    """(first offset, last offset) of each record batch in a records blob."""
    pos = 0
    out = []
    while records and pos + 61 <= len(records):
        base, length = struct.unpack_from(">qi", records, pos)
        (last_delta,) = struct.unpack_from(">i", records, pos + 23)
        if pos + 12 + length > len(records):
            break  # a partial batch at the end of the fetch
        out.append((base, base + last_delta))
        pos += 12 + length
    return out


def topic_id(port, topic):
    conn = SchemaConn(port, client_id="metadata")
    try:
        r = conn.call("Metadata", 12, {"Topics": [{"TopicId": "00000000-0000-0000-0000-000000000000",
                                                   "Name": topic}],
                                       "AllowAutoTopicCreation": False,
                                       "IncludeTopicAuthorizedOperations": False})
    finally:
        conn.close()
    return r["Topics"][0]["TopicId"]


class Member:
    """One member; drive it with step() from a single thread.

    consumed(partition, first, last) is called for every offset range read.
    on_assignment(member, old, new) is called for every assignment change.
    """

    def __init__(self, port, group, topic, tid, name, consumed, on_assignment=None,
                 instance_id=None, regex=None, assignor=None, partition_max_bytes=4 << 20):
        self.conn = SchemaConn(port, client_id=name)
        self.group, self.topic, self.tid, self.name = group, topic, tid, name
        self.consumed, self.on_assignment = consumed, on_assignment
        self.instance_id, self.regex, self.assignor = instance_id, regex, assignor
        self.partition_max_bytes = partition_max_bytes
        self.member_id = new_member_id()
        self.epoch = 0
        self.positions = {}  # partition -> next offset to read
        self.interval = 0.1
        self.next_heartbeat = 0.0
        self.next_commit = 0.0
        self.joined = False
        self.heartbeats = 0

    # ---- group protocol ---------------------------------------------------

    def heartbeat(self):
        first = self.epoch == 0
        req = {"GroupId": self.group, "MemberId": self.member_id, "MemberEpoch": self.epoch,
               "InstanceId": self.instance_id, "RackId": None,
               "RebalanceTimeoutMs": 10000 if first else -1,
               "SubscribedTopicNames": None if (self.regex or not first) else [self.topic],
               "SubscribedTopicRegex": self.regex if first else None,
               "ServerAssignor": self.assignor if first else None,
               "TopicPartitions": ([{"TopicId": self.tid, "Partitions": sorted(self.positions)}]
                                   if self.tid else [])}
        r = self.conn.call("ConsumerGroupHeartbeat", 1, req)
        self.heartbeats += 1
        if r["ErrorCode"] != 0:
            raise AssertionError("%s: heartbeat error %d %s" % (self.name, r["ErrorCode"],
                                                               r["ErrorMessage"]))
        self.joined = True
        self.epoch = r["MemberEpoch"]
        self.interval = r["HeartbeatIntervalMs"] / 1000.0
        self.next_heartbeat = time.monotonic() + self.interval
        if r["Assignment"] is not None:
            new = set()
            for tp in r["Assignment"]["TopicPartitions"]:
                if tp["TopicId"] == self.tid:
                    new.update(tp["Partitions"])
            self.reconcile(new)
        return r

    def reconcile(self, new):
        old = set(self.positions)
        if new == old:
            return
        if self.on_assignment:
            self.on_assignment(self, old, new)
        revoked = old - new
        if revoked:
            self.commit(revoked)
            for p in revoked:
                del self.positions[p]
            self.next_heartbeat = 0.0  # report the release at once
        added = new - old
        if added:
            committed = self.fetch_committed(added)
            for p in added:
                self.positions[p] = max(committed.get(p, -1), 0)

    def commit(self, partitions=None):
        parts = sorted(self.positions if partitions is None else partitions)
        if not parts:
            return
        r = self.conn.call("OffsetCommit", 9, {
            "GroupId": self.group, "GenerationIdOrMemberEpoch": self.epoch,
            "MemberId": self.member_id, "GroupInstanceId": None,
            "Topics": [{"Name": self.topic, "Partitions": [
                {"PartitionIndex": p, "CommittedOffset": self.positions[p],
                 "CommittedLeaderEpoch": -1, "CommittedMetadata": ""} for p in parts]}]})
        errors = {p["ErrorCode"] for t in r["Topics"] for p in t["Partitions"]}
        if errors != {0}:
            raise AssertionError("%s: commit errors %s at epoch %d" % (self.name, errors, self.epoch))
        self.next_commit = time.monotonic() + 0.5

    def fetch_committed(self, partitions):
        r = self.conn.call("OffsetFetch", 9, {"Groups": [{
            "GroupId": self.group, "MemberId": self.member_id, "MemberEpoch": self.epoch,
            "Topics": [{"Name": self.topic, "PartitionIndexes": sorted(partitions)}]}],
            "RequireStable": False})
        g = r["Groups"][0]
        if g["ErrorCode"] != 0:
            raise AssertionError("%s: OffsetFetch error %d" % (self.name, g["ErrorCode"]))
        return {p["PartitionIndex"]: p["CommittedOffset"]
                for t in g["Topics"] for p in t["Partitions"]}

    def leave(self, static=False):
        self.commit()
        r = self.conn.call("ConsumerGroupHeartbeat", 1, {
            "GroupId": self.group, "MemberId": self.member_id,
            "MemberEpoch": -2 if static else -1, "InstanceId": self.instance_id,
            "RackId": None, "RebalanceTimeoutMs": -1, "SubscribedTopicNames": None,
            "SubscribedTopicRegex": None, "ServerAssignor": None, "TopicPartitions": None})
        if r["ErrorCode"] != 0:
            raise AssertionError("%s: leave error %d" % (self.name, r["ErrorCode"]))
        self.positions = {}
        self.joined = False
        self.epoch = 0

    def close(self):
        self.conn.close()

    # ---- consuming ----------------------------------------------------------

    def fetch(self, max_wait_ms=0):
        if not self.positions:
            return 0
        r = self.conn.call("Fetch", 12, {
            "ReplicaId": -1, "MaxWaitMs": max_wait_ms, "MinBytes": 1, "MaxBytes": 64 << 20,
            "IsolationLevel": 0, "SessionId": 0, "SessionEpoch": -1,
            "Topics": [{"Topic": self.topic, "Partitions": [
                {"Partition": p, "CurrentLeaderEpoch": -1, "FetchOffset": off,
                 "LastFetchedEpoch": -1, "LogStartOffset": -1, "PartitionMaxBytes": self.partition_max_bytes}
                for p, off in sorted(self.positions.items())]}],
            "ForgottenTopicsData": [], "RackId": ""})
        n = 0
        for t in r["Responses"]:
            for p in t["Partitions"]:
                part = p["PartitionIndex"]
                if p["ErrorCode"] != 0 or part not in self.positions:
                    continue
                for first, last in batches(p["Records"]):
                    first = max(first, self.positions[part])
                    if last < first:
                        continue
                    self.consumed(self, part, first, last)
                    self.positions[part] = last + 1
                    n += last - first + 1
        return n

    def step(self, fetch=True):
        """Heartbeats when due, fetches once (unless told not to), commits
        every 0.5 s."""
        now = time.monotonic()
        if now >= self.next_heartbeat:
            self.heartbeat()
        n = self.fetch() if fetch else 0
        if self.positions and time.monotonic() >= self.next_commit:
            self.commit()
        return n
