"""A consume-transform-produce application with exactly-once semantics, run
as its own process by tests/system/test_txn_copy.py (which SIGKILLs it and the
broker at random moments).

    txn_copy_app.py BOOTSTRAP IN_TOPIC OUT_TOPIC GROUP TXN_ID END0,END1,...

It subscribes to IN_TOPIC as a member of GROUP (read_committed, no auto
commit) and copies every record to the same partition of OUT_TOPIC with the
value prefixed by b"copy:", in transactions of at most BATCH records or about
TXN_MS milliseconds (optionally paced to MAX_RATE records/s; all three from
TXN_COPY_* environment variables), each carrying the consumed positions
(send_offsets_to_transaction with the consumer's group metadata). After every
commit it prints "committed N" (N = records of IN_TOPIC covered by the
group's committed offsets, as far as this instance knows; "known N" when idle
without a transaction); it exits 0 with "done" once the committed offsets
reach END<p> on every partition.

Errors: a retriable error retries the same call; an abortable one aborts the
transaction and exits 2; anything else (fenced, fatal) exits 3. The test
restarts it; the new instance's init_transactions fences the old one.
"""

import os
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

BATCH = int(os.environ.get("TXN_COPY_BATCH", "500"))
TXN_MS = float(os.environ.get("TXN_COPY_TXN_MS", "100"))
# Records per second at most (0: no limit): a transaction of n records lasts
# at least n / MAX_RATE seconds, the wait spent after its records were
# produced, so a kill at any moment likely finds an open transaction with
# records in the log.
MAX_RATE = float(os.environ.get("TXN_COPY_MAX_RATE", "0"))
PREFIX = b"copy:"


def log(*a):
    print(*a, flush=True)


def retrying(what, fn, deadline_s=120.0):
    """Runs fn(), retrying it on retriable KafkaErrors for up to deadline_s;
    other errors are raised."""
    start = time.monotonic()
    while True:
        try:
            return fn()
        except KafkaException as e:
            err = e.args[0]
            if err.retriable() and time.monotonic() - start < deadline_s:
                log("retry %s: %s" % (what, err))
                time.sleep(0.1)
                continue
            raise


def make_producer(bootstrap, txn_id):
    return Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id, "acks": "all",
                     "linger.ms": 5, "transaction.timeout.ms": 10000,
                     "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500})


def make_consumer(bootstrap, group):
    return Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                     "enable.auto.commit": False, "auto.offset.reset": "earliest",
                     "isolation.level": "read_committed", "session.timeout.ms": 3000,
                     "heartbeat.interval.ms": 300, "reconnect.backoff.ms": 50,
                     "reconnect.backoff.max.ms": 500})


class CopyApp:
    """The copier's state: one transactional producer, one group consumer and
    the committed offsets this instance knows of."""

    def __init__(self, bootstrap, in_topic, out_topic, group, txn_id, ends):
        self.bootstrap = bootstrap
        self.in_topic = in_topic
        self.out_topic = out_topic
        self.group = group
        self.ends = ends
        self.producer = make_producer(bootstrap, txn_id)
        self.consumer = None
        self.in_txn = False
        self.committed = {}  # partition -> committed offset known to this instance
        self.all_tps = [TopicPartition(in_topic, p) for p in range(len(ends))]
        self.txn_start = 0.0
        self.in_txn_count = 0
        self.last_check = 0.0

    def abort_and_exit(self, why):
        log("abortable error (%s): aborting and exiting" % why)
        try:
            self.producer.abort_transaction(30)
        except KafkaException as e:
            log("abort failed: %s" % e)
        os._exit(2)

    def init_transactions(self):
        try:
            retrying("init_transactions", lambda: self.producer.init_transactions(60))
        except KafkaException as e:
            log("init_transactions failed: %s" % e)
            os._exit(3)
        log("initialised")

    def subscribe(self):
        self.consumer = make_consumer(self.bootstrap, self.group)

        def on_assign(c, parts):
            log("assigned %s" % sorted(p.partition for p in parts))

        def on_revoke(c, parts):
            # A single-member group is revoked only on an unexpected rebalance:
            # the open transaction's offsets may no longer be ours to commit.
            log("revoked %s" % sorted(p.partition for p in parts))
            if self.in_txn:
                self.abort_and_exit("revoked during a transaction")

        self.consumer.subscribe([self.in_topic], on_assign=on_assign, on_revoke=on_revoke)

    def is_done(self):
        return all(self.committed.get(p, 0) >= end for p, end in enumerate(self.ends))

    def covered(self):
        """Records of the input covered by the known committed offsets."""
        return sum(min(self.committed.get(p, 0), end) for p, end in enumerate(self.ends))

    def broker_done(self):
        """Refreshes `committed` from the broker (all partitions, not only
        ours); True when every partition is copied."""
        for tp in self.consumer.committed(self.all_tps, timeout=60):
            if tp.offset >= 0:
                self.committed[tp.partition] = max(self.committed.get(tp.partition, 0), tp.offset)
        return self.is_done()

    def finish(self):
        log("done")
        self.consumer.close()
        os._exit(0)

    def copy_record(self, m):
        """Copies one consumed record into the open transaction (beginning one
        if none is open)."""
        if not self.in_txn:
            self.producer.begin_transaction()
            self.in_txn = True
            self.txn_start = time.monotonic()
            self.in_txn_count = 0
        while True:
            try:
                self.producer.produce(self.out_topic, key=m.key(), value=PREFIX + m.value(),
                                      partition=m.partition())
                break
            except BufferError:
                self.producer.poll(0.05)
        self.in_txn_count += 1

    def copy_batch(self, msgs):
        for m in msgs:
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaException(m.error())
            self.copy_record(m)

    def txn_due(self):
        return self.in_txn and (self.in_txn_count >= BATCH
                                or time.monotonic() - self.txn_start >= TXN_MS / 1000)

    def pace(self):
        """Waits until the open transaction has lasted in_txn_count / MAX_RATE."""
        if MAX_RATE > 0:
            due = self.txn_start + self.in_txn_count / MAX_RATE
            while time.monotonic() < due:  # poll returns early when it serves an event
                self.producer.poll(max(0.0, due - time.monotonic()))

    def commit_transaction(self):
        """Commits the open transaction with the consumer's positions; exits
        when the copy is complete."""
        self.pace()
        positions = [tp for tp in self.consumer.position(self.consumer.assignment())
                     if tp.offset >= 0]
        try:
            retrying("send_offsets_to_transaction", lambda: self.producer.send_offsets_to_transaction(
                positions, self.consumer.consumer_group_metadata(), 60))
            retrying("commit_transaction", lambda: self.producer.commit_transaction(60))
        except KafkaException as e:
            err = e.args[0]
            if err.txn_requires_abort():
                self.abort_and_exit(err)
            log("fatal: %s" % err)
            os._exit(3)
        self.in_txn = False
        for tp in positions:
            self.committed[tp.partition] = tp.offset
        log("committed %d" % self.covered())
        if self.is_done() and self.broker_done():
            self.finish()

    def check_idle(self):
        # Idle: maybe everything was copied before this instance started.
        self.last_check = time.monotonic()
        if self.broker_done():
            self.finish()
        log("known %d" % self.covered())

    def run(self):
        while True:
            msgs = self.consumer.consume(BATCH, 0.05)
            self.copy_batch(msgs)
            self.producer.poll(0)
            if self.txn_due():
                self.commit_transaction()
            elif not msgs and not self.in_txn and time.monotonic() - self.last_check >= 1.0:
                self.check_idle()


def main():
    bootstrap, in_topic, out_topic, group, txn_id, ends_arg = sys.argv[1:7]
    ends = [int(x) for x in ends_arg.split(",")]
    app = CopyApp(bootstrap, in_topic, out_topic, group, txn_id, ends)
    app.init_transactions()
    app.subscribe()
    app.run()


if __name__ == "__main__":
    try:
        main()
    except KafkaException as e:
        log("unexpected Kafka error: %s" % e)
        os._exit(3)
