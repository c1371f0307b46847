"""Consumer-group members for the system tests: confluent-kafka (CkMember)
and kafka-python (KpMember) consumers that poll on their own thread, report
every record and acknowledged commit to a group_tracker.Tracker, and record
their assign/revoke callbacks."""

import os
import threading
import time

from spate_broker import check, wait_until

PARTITIONS = 12


def ck_config(bootstrap, group, **extra):
    cfg = {"bootstrap.servers": bootstrap, "group.id": group, "partition.assignment.strategy": "range",
           "enable.auto.commit": False, "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
           "heartbeat.interval.ms": 300, "topic.metadata.refresh.interval.ms": 1000}
    cfg.update(extra)
    return cfg


class Polling:
    """Members poll on their own thread (a kafka-python poll blocks through a
    whole rebalance, which needs the other members to poll meanwhile)."""

    def start(self):
        self._stop = threading.Event()
        self.error = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        try:
            while not self._stop.is_set():
                self.poll(0.05)
                self.last_poll = time.monotonic()
        except BaseException as e:  # reported by check_alive()
            self.error = e

    def poll_state(self):
        """For failure messages: seconds since a poll last returned, and where
        the poll thread is now (innermost frames)."""
        import sys
        import traceback
        t = self._thread
        frame = sys._current_frames().get(t.ident) if t is not None else None
        where = " <- ".join("%s:%d %s" % (os.path.basename(f.filename), f.lineno, f.name)
                            for f in reversed(traceback.extract_stack(frame)[-4:])) if frame else "-"
        return "%.1fs since a poll returned, at %s" % (time.monotonic() - getattr(self, "last_poll", 0), where)

    def check_alive(self):
        if self.error is not None:
            raise AssertionError("%s: polling failed: %r" % (self.name, self.error))

    def stop(self):
        if self._thread is not None:
            self._stop.set()
            self._thread.join(30)
            check(not self._thread.is_alive(), "%s: poll thread did not stop" % self.name)
            self._thread = None
        self.check_alive()

    def close(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None
        if not self.closed:
            self.closed = True
            self._close()


class CkMember(Polling):
    """A confluent-kafka consumer that records its callbacks and deliveries
    and commits synchronously after each batch."""

    def __init__(self, name, bootstrap, group, topic, tracker, commit=True, commit_on_revoke=True, **cfg):
        """commit: after every batch; commit_on_revoke: what was read of
        the revoked partitions, in on_revoke (also on close)."""
        from confluent_kafka import Consumer
        self.commit_on_revoke = commit_on_revoke
        self._thread = None
        self.closed = False
        self.name = name
        self.topic = topic
        self.tracker = tracker
        self.commit_each_batch = commit
        self.assigns = []  # [set of partitions] per on_assign call
        self.revokes = []
        self.position = {}  # partition -> next offset (consumed)
        self.stats = None  # the last librdkafka statistics (with statistics.interval.ms set)
        conf = ck_config(bootstrap, group, **cfg)
        conf["stats_cb"] = self._on_stats
        self.c = Consumer(conf)
        self.c.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)
        self.start()

    def _on_stats(self, text):
        self.stats = text

    def fetch_states(self, partitions):
        """{partition: {fetch_state, next_offset, app_offset, fetchq_cnt, msgs}}
        from the last statistics (partitions this client fetches)."""
        import json
        if not self.stats:
            return {}
        parts = json.loads(self.stats).get("topics", {}).get(self.topic, {}).get("partitions", {})
        keys = ("fetch_state", "next_offset", "app_offset", "fetchq_cnt", "msgs")
        return {p: {k: parts[str(p)].get(k) for k in keys}
                for p in partitions if str(p) in parts and parts[str(p)]["fetch_state"] != "none"}

    def _on_assign(self, c, parts):
        self.assigns.append({p.partition for p in parts})

    def _on_revoke(self, c, parts):
        self.revokes.append({p.partition for p in parts})
        if self.commit_on_revoke:
            self.commit_partitions({p.partition for p in parts})

    def commit_partitions(self, parts):
        from confluent_kafka import KafkaException, TopicPartition
        offs = [TopicPartition(self.topic, p, self.position[p]) for p in sorted(parts) if p in self.position]
        if not offs:
            return
        try:
            self.c.commit(offsets=offs, asynchronous=False)
        except KafkaException:
            return  # not acknowledged: nothing to record
        for tp in offs:
            self.tracker.on_commit(self.name, tp.partition, tp.offset)

    def commit_offsets(self, offsets):
        """Commits {partition: next offset} synchronously (call with polling stopped)."""
        from confluent_kafka import TopicPartition
        self.c.commit(offsets=[TopicPartition(self.topic, p, o) for p, o in sorted(offsets.items())],
                      asynchronous=False)
        for p, o in offsets.items():
            self.tracker.on_commit(self.name, p, o)

    def assignment(self):
        return {tp.partition for tp in self.c.assignment()}

    def poll(self, timeout=0.05):
        # poll(), not consume(num_messages): librdkafka 2.0.2's batch consume
        # can drop fetched records when an incremental (cooperative)
        # rebalance happens meanwhile (app offset moves past records it never
        # returned); the single-message API does not.
        msgs = []
        m = self.c.poll(timeout)
        while m is not None:
            msgs.append(m)
            if len(msgs) >= 500:
                break
            m = self.c.poll(0)
        got = set()
        for m in msgs:
            check(m.error() is None, "%s: consumer error %s" % (self.name, m.error()))
            self.tracker.on_consume(self.name, m.partition(), m.offset())
            self.position[m.partition()] = m.offset() + 1
            got.add(m.partition())
        if got and self.commit_each_batch:
            self.commit_partitions(got)
        return len(msgs)

    def _close(self):
        self.c.close()


class KpMember(Polling):
    """The same for kafka-python (range assignor)."""

    def __init__(self, name, bootstrap, group, topic, tracker, session_ms=6000, commit=True):
        from kafka import KafkaConsumer
        from kafka.coordinator.assignors.range import RangePartitionAssignor
        self._thread = None
        self.closed = False
        self.name = name
        self.topic = topic
        self.tracker = tracker
        self.commit_each_batch = commit
        self.c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                               partition_assignment_strategy=[RangePartitionAssignor],
                               enable_auto_commit=False, auto_offset_reset="earliest",
                               session_timeout_ms=session_ms, heartbeat_interval_ms=300,
                               metadata_max_age_ms=1000)
        self.start()

    def assignment(self):
        return {tp.partition for tp in self.c.assignment()}

    def poll(self, timeout=0.05):
        from kafka.errors import KafkaError
        n = 0
        offsets = {}
        for tp, records in self.c.poll(timeout_ms=int(timeout * 1000)).items():
            for r in records:
                self.tracker.on_consume(self.name, r.partition, r.offset)
                offsets[r.partition] = r.offset + 1
                n += 1
        if offsets and self.commit_each_batch:
            try:
                self.commit_offsets(offsets)
            except KafkaError:
                pass  # rebalancing: not acknowledged
        return n

    def commit_offsets(self, offsets):
        """Commits {partition: next offset} synchronously."""
        from kafka import OffsetAndMetadata, TopicPartition
        self.c.commit({TopicPartition(self.topic, p): OffsetAndMetadata(o, None) for p, o in offsets.items()})
        for p, o in offsets.items():
            self.tracker.on_commit(self.name, p, o)

    def _close(self):
        self.c.close(autocommit=False)


def poll_all(members, until, timeout, what):
    """Waits (members poll on their threads) until until() is true, failing
    after timeout or as soon as a member's polling failed."""
    def step():
        for m in members:
            m.check_alive()
        return until()
    return wait_until(step, timeout, what, interval=0.02)


def settle(members, seconds):
    """Lets the members poll for `seconds` (e.g. to see no late duplicates)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for m in members:
            m.check_alive()
        time.sleep(0.05)


def disjoint_cover(members, n=PARTITIONS):
    """True when the members' assignments are disjoint and cover partitions 0..n-1."""
    sets = [m.assignment() for m in members]
    union = set().union(*sets)
    return union == set(range(n)) and sum(len(s) for s in sets) == n


def describe(members):
    return ", ".join("%s=%s" % (m.name, sorted(m.assignment())) for m in members)


def ends_of(by_part, base=None):
    return {p: (base or {}).get(p, 0) + len(v) for p, v in by_part.items()}


