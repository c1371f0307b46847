"""Kafka transactions with confluent-kafka (librdkafka 2.0.2) against one
broker; every case uses its own topics and transactional ids:

- aborted_invisible: committed / aborted / committed transactions with plain
  records between them: read_committed sees exactly the committed and plain
  records, read_uncommitted everything; one control record per transaction
  (exact offsets); an open transaction holds read_committed (and the
  read_committed end offset) at its first record, plain records after it
  included, until it commits.
- zombie_fenced: producer A (transactional id X) has an open transaction;
  producer B with id X runs init_transactions: A's commit_transaction fails
  with a fatal error and A's records are never visible to read_committed;
  B's committed transaction is. A zombie's Produce (old epoch) to a partition
  of its aborted transaction is rejected and appends nothing.
- txn_offsets: send_offsets_to_transaction then abort leaves the group's
  committed offset unchanged (also while the transaction is open); commit
  updates it.
- require_stable: while a transaction holds offsets for a group, OffsetFetch
  v7 with RequireStable answers UNSTABLE_OFFSET_COMMIT (88) for that
  partition, and without RequireStable the last committed offset.
- describe_list: DescribeTransactions / ListTransactions show an open
  transaction as Ongoing with its partitions, then CompleteCommit.
- timeout: a producer with transaction.timeout.ms=2000 stalls in a
  transaction; the broker aborts it (epoch bumped), read_committed then reads
  the later records of another producer and never the stalled ones, and the
  stalled producer's commit fails.
- restart: offsets and records committed transactionally survive a SIGTERM
  and a SIGKILL restart (the SIGKILL right after commit_transaction returned);
  a transaction open when the broker is SIGKILLed is aborted by its timeout
  after the restart (records invisible, offsets unchanged); a producer keeps
  working across the restarts.
- many_ids_restart: 20 committed and 3 open transactional ids survive a
  SIGKILL restart (ListTransactions, producer ids, epochs that still fence);
  the open ones are aborted by their timeout.
SPATE_TEST_CASE=substring runs only matching cases.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import (GROUP_TEST_CONFIG, check, create_topic, read_to_end,
                          run_cases, wait_until)
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from kafka_schema import SchemaConn

# Timed-out transactions are looked for on the coordinator tick (50 ms):
# Kafka's transaction.abort.timed.out.transaction.cleanup.interval.ms is not a
# Spate key (unknown keys stop `spate serve`).
CONFIG = dict(GROUP_TEST_CONFIG)

UNSTABLE_OFFSET_COMMIT = 88


def txn_producer(bootstrap, txn_id, **extra):
    cfg = {"bootstrap.servers": bootstrap, "transactional.id": txn_id, "acks": "all", "linger.ms": 5,
           "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500}
    cfg.update(extra)
    p = Producer(cfg)
    p.init_transactions(30)
    return p


def send(p, topic, values, partition=0):
    # Loads the topic's metadata first: librdkafka otherwise looks up a topic
    # new to the client on its 1 s timer.
    p.list_topics(topic, timeout=10)
    for v in values:
        p.produce(topic, value=v, partition=partition)
    check(p.flush(30) == 0, "producer did not flush")


def plain_send(bootstrap, topic, values, partition=0):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    errors = []
    for v in values:
        p.produce(topic, value=v, partition=partition,
                  on_delivery=lambda err, _m: errors.append(err) if err else None)
    check(p.flush(30) == 0, "plain producer did not flush")
    check(not errors, "plain producer errors: %s" % errors[:1])


def values_of(bootstrap, topic, read_committed, partition=0):
    return [v for _, v in read_to_end(bootstrap, topic, [partition], read_committed)[partition]]


def end_offsets(bootstrap, topic, partition=0):
    """(read_committed end = last stable offset, high watermark) by ListOffsets."""
    out = []
    for iso in ("read_committed", "read_uncommitted"):
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "isolation.level": iso})
        try:
            out.append(c.get_watermark_offsets(TopicPartition(topic, partition), timeout=20)[1])
        finally:
            c.close()
    return tuple(out)


def group_offsets(bootstrap, group, topic, partitions=1):
    """{partition: committed offset} by OffsetFetch from a read_uncommitted
    consumer (no RequireStable: a read_committed one waits while a
    transaction holds offsets of the group)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                  "isolation.level": "read_uncommitted"})
    try:
        res = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=20)
    finally:
        c.close()
    return {t.partition: t.offset for t in res}


def group_meta(bootstrap, group):
    """A (non-member) consumer of `group`, for consumer_group_metadata()."""
    return Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})


def raw(b, api, version, values):
    conn = SchemaConn(b.port, client_id="txn-test")
    try:
        return conn.call(api, version, values)
    finally:
        conn.close()


def describe_txn(b, txn_id):
    r = raw(b, "DescribeTransactions", 0, {"TransactionalIds": [txn_id]})
    st = r["TransactionStates"][0]
    check(st["ErrorCode"] == 0 and st["TransactionalId"] == txn_id, "DescribeTransactions %s" % st)
    return st


def open_txn_producers(b, topic, partition=0):
    """[(producer id, epoch, CurrentTxnStartOffset)] of the producers with an
    open transaction on the partition (DescribeProducers)."""
    r = raw(b, "DescribeProducers", 0, {"Topics": [{"Name": topic, "PartitionIndexes": [partition]}]})
    pr = r["Topics"][0]["Partitions"][0]
    check(pr["ErrorCode"] == 0, "DescribeProducers error %d" % pr["ErrorCode"])
    return [(a["ProducerId"], a["ProducerEpoch"], a["CurrentTxnStartOffset"])
            for a in pr["ActiveProducers"] if a["CurrentTxnStartOffset"] != -1]


def expect_failure(fn, what):
    try:
        fn()
    except KafkaException as e:
        return e.args[0]
    raise AssertionError("%s succeeded" % what)


def case_aborted_invisible(b):
    topic = "txn-a"
    create_topic(b.bootstrap, topic, 1)
    p = txn_producer(b.bootstrap, "txn-a")
    c1 = [b"c1-%d" % i for i in range(10)]
    ab = [b"ab-%d" % i for i in range(10)]
    pl = [b"plain-%d" % i for i in range(5)]
    c3 = [b"c3-%d" % i for i in range(10)]
    p.begin_transaction()
    send(p, topic, c1)
    p.commit_transaction(30)
    p.begin_transaction()
    send(p, topic, ab)
    p.abort_transaction(30)
    plain_send(b.bootstrap, topic, pl)
    p.begin_transaction()
    send(p, topic, c3)
    p.commit_transaction(30)
    # c1 0-9, COMMIT 10, ab 11-20, ABORT 21, plain 22-26, c3 27-36, COMMIT 37.
    check(end_offsets(b.bootstrap, topic) == (38, 38),
          "end offsets (read_committed, high watermark) %s, expected (38, 38)" % (end_offsets(b.bootstrap, topic),))
    rc = read_to_end(b.bootstrap, topic, [0], True)[0]
    check([v for _, v in rc] == c1 + pl + c3, "read_committed read %s" % [v for _, v in rc])
    check([o for o, _ in rc] == list(range(10)) + list(range(22, 37)), "read_committed offsets %s"
          % [o for o, _ in rc])
    ru = values_of(b.bootstrap, topic, False)
    check(ru == c1 + ab + pl + c3, "read_uncommitted read %s" % ru)

    # An open transaction holds read_committed at its first record, plain
    # records written after it included.
    op = [b"open-%d" % i for i in range(5)]
    later = [b"later-%d" % i for i in range(3)]
    p.begin_transaction()
    send(p, topic, op)  # 38-42
    plain_send(b.bootstrap, topic, later)  # 43-45
    check(end_offsets(b.bootstrap, topic) == (38, 46),
          "with a transaction open at 38: end offsets %s, expected (38, 46)" % (end_offsets(b.bootstrap, topic),))
    check(values_of(b.bootstrap, topic, True) == c1 + pl + c3, "read_committed passed an open transaction")
    check(values_of(b.bootstrap, topic, False) == c1 + ab + pl + c3 + op + later,
          "read_uncommitted with a transaction open")
    p.commit_transaction(30)
    check(end_offsets(b.bootstrap, topic) == (47, 47), "after the commit: end offsets %s, expected (47, 47)"
          % (end_offsets(b.bootstrap, topic),))
    check(values_of(b.bootstrap, topic, True) == c1 + pl + c3 + op + later,
          "read_committed after the open transaction committed")
    return "committed 25+5+3 records visible, 10 aborted hidden, 4 control records"


def case_zombie_fenced(b):
    topic = "txn-b"
    create_topic(b.bootstrap, topic, 2)
    a = txn_producer(b.bootstrap, "txn-b")
    a.begin_transaction()
    zombie = [b"zombie-%d" % i for i in range(5)]
    send(a, topic, zombie, partition=0)
    send(a, topic, zombie, partition=1)
    open_a = open_txn_producers(b, topic)
    check(len(open_a) == 1 and open_a[0][2] == 0, "A's open transaction on partition 0: %s" % open_a)
    a_pid, a_epoch, _ = open_a[0]

    start = time.monotonic()
    bb = txn_producer(b.bootstrap, "txn-b")  # fences A, aborts its transaction
    init_s = time.monotonic() - start
    check(not open_txn_producers(b, topic, 0) and not open_txn_producers(b, topic, 1),
          "A's transaction still open after B's init_transactions")
    st = describe_txn(b, "txn-b")
    check(st["ProducerId"] == a_pid and st["ProducerEpoch"] > a_epoch,
          "after B's init: producer %d epoch %d, A had %d epoch %d"
          % (st["ProducerId"], st["ProducerEpoch"], a_pid, a_epoch))

    err = expect_failure(lambda: a.commit_transaction(15), "the zombie's commit_transaction")
    check(err.fatal(), "the zombie's commit failed with a non-fatal error: %s" % err)
    err2 = expect_failure(lambda: a.begin_transaction(), "the zombie's begin_transaction after fencing")

    bb.begin_transaction()
    good = [b"b-%d" % i for i in range(5)]
    send(bb, topic, good, partition=0)
    bb.commit_transaction(30)
    for part in (0, 1):
        rc = values_of(b.bootstrap, topic, True, part)
        check(rc == (good if part == 0 else []), "partition %d read_committed: %s" % (part, rc))
    ru = values_of(b.bootstrap, topic, False, 0)
    check(ru == zombie + good, "read_uncommitted: %s" % ru)
    check(end_offsets(b.bootstrap, topic, 1) == (6, 6), "partition 1 end offsets %s (5 aborted + marker)"
          % (end_offsets(b.bootstrap, topic, 1),))

    # A zombie that goes on producing to a partition of its aborted
    # transaction (no AddPartitionsToTxn: a Produce with the old epoch):
    # rejected, nothing appended, nothing left open.
    topic2 = "txn-b2"
    create_topic(b.bootstrap, topic2, 1)
    a2 = txn_producer(b.bootstrap, "txn-b2")
    a2.begin_transaction()
    send(a2, topic2, [b"z2-0", b"z2-1"])
    b2 = txn_producer(b.bootstrap, "txn-b2")
    late_errors = []
    a2.produce(topic2, value=b"z2-late", partition=0, on_delivery=lambda e, _m: late_errors.append(e))
    try:
        left = a2.flush(15)
    except KafkaException as e:
        late_errors.append(e.args[0])
        left = 0
    check(left == 0 and late_errors and late_errors[0] is not None,
          "the zombie's late record: %d undelivered, delivery results %s" % (left, late_errors))
    check(values_of(b.bootstrap, topic2, False) == [b"z2-0", b"z2-1"],
          "log after the zombie's late produce: %s" % values_of(b.bootstrap, topic2, False))
    check(end_offsets(b.bootstrap, topic2) == (3, 3) and not open_txn_producers(b, topic2),
          "after the zombie's late produce: end offsets %s, open %s"
          % (end_offsets(b.bootstrap, topic2), open_txn_producers(b, topic2)))
    b2.begin_transaction()
    send(b2, topic2, [b"b2"])
    b2.commit_transaction(30)
    check(values_of(b.bootstrap, topic2, True) == [b"b2"], "read_committed after the fenced zombie")
    return "B's init_transactions took %.3fs; zombie commit: %s; then begin: %s" % (init_s, err, err2)


def case_txn_offsets(b):
    src, out, group = "txn-c-in", "txn-c-out", "txn-c-g"
    create_topic(b.bootstrap, src, 1)
    create_topic(b.bootstrap, out, 1)
    plain_send(b.bootstrap, src, [b"r-%d" % i for i in range(10)])
    c = group_meta(b.bootstrap, group)
    c.commit(offsets=[TopicPartition(src, 0, 3)], asynchronous=False)
    check(group_offsets(b.bootstrap, group, src, 1) == {0: 3}, "plain commit of 3")
    p = txn_producer(b.bootstrap, "txn-c")

    p.begin_transaction()
    send(p, out, [b"x-aborted"])
    p.send_offsets_to_transaction([TopicPartition(src, 0, 7)], c.consumer_group_metadata(), 30)
    got = group_offsets(b.bootstrap, group, src, 1)
    check(got == {0: 3}, "offsets of an open transaction visible: committed %s" % got)
    # A read_committed consumer asks with RequireStable and waits.
    rcc = Consumer({"bootstrap.servers": b.bootstrap, "group.id": group, "enable.auto.commit": False,
                    "isolation.level": "read_committed"})
    try:
        err = expect_failure(lambda: rcc.committed([TopicPartition(src, 0)], timeout=2),
                             "read_committed committed() while a transaction holds offsets")
    finally:
        rcc.close()
    check(err.code() == KafkaError._TIMED_OUT, "read_committed committed() failed with %s" % err)
    p.abort_transaction(30)
    got = group_offsets(b.bootstrap, group, src, 1)
    check(got == {0: 3}, "after abort: committed %s, expected 3" % got)

    p.begin_transaction()
    send(p, out, [b"x-committed"])
    p.send_offsets_to_transaction([TopicPartition(src, 0, 9)], c.consumer_group_metadata(), 30)
    p.commit_transaction(30)
    got = group_offsets(b.bootstrap, group, src, 1)
    check(got == {0: 9}, "after commit: committed %s, expected 9" % got)
    rcc = Consumer({"bootstrap.servers": b.bootstrap, "group.id": group, "enable.auto.commit": False,
                    "isolation.level": "read_committed"})
    try:
        got = {t.partition: t.offset for t in rcc.committed([TopicPartition(src, 0)], timeout=20)}
    finally:
        rcc.close()
    check(got == {0: 9}, "read_committed consumer's committed offsets %s" % got)
    check(values_of(b.bootstrap, out, True) == [b"x-committed"], "output of the two transactions")
    c.close()
    return "abort kept 3, commit moved to 9"


def case_require_stable(b):
    src, group = "txn-rs-in", "txn-rs-g"
    create_topic(b.bootstrap, src, 2)
    c = group_meta(b.bootstrap, group)
    c.commit(offsets=[TopicPartition(src, 0, 2), TopicPartition(src, 1, 4)], asynchronous=False)
    p = txn_producer(b.bootstrap, "txn-rs")
    p.begin_transaction()
    p.send_offsets_to_transaction([TopicPartition(src, 0, 5)], c.consumer_group_metadata(), 30)

    def fetch(stable):
        r = raw(b, "OffsetFetch", 7, {"GroupId": group, "RequireStable": stable,
                                      "Topics": [{"Name": src, "PartitionIndexes": [0, 1]}]})
        check(r["ErrorCode"] == 0, "OffsetFetch v7 error %d" % r["ErrorCode"])
        return {pp["PartitionIndex"]: (pp["CommittedOffset"], pp["ErrorCode"])
                for pp in r["Topics"][0]["Partitions"]}

    stable = fetch(True)
    check(stable[0][1] == UNSTABLE_OFFSET_COMMIT, "RequireStable with pending offsets: %s" % stable)
    check(stable[1] == (4, 0), "RequireStable, partition without pending offsets: %s" % stable)
    loose = fetch(False)
    check(loose == {0: (2, 0), 1: (4, 0)}, "without RequireStable: %s" % loose)
    p.commit_transaction(30)
    after = fetch(True)
    check(after == {0: (5, 0), 1: (4, 0)}, "RequireStable after the commit: %s" % after)
    c.close()
    return "pending partition answered 88, then 5"


def case_describe_list(b):
    topic, group = "txn-d", "txn-d-g"
    create_topic(b.bootstrap, topic, 2)
    p = txn_producer(b.bootstrap, "txn-d", **{"transaction.timeout.ms": 45000})
    st = describe_txn(b, "txn-d")
    check(st["TransactionState"] == "Empty" and st["TransactionTimeoutMs"] == 45000 and st["Topics"] == [],
          "after init_transactions: %s" % st)
    c = group_meta(b.bootstrap, group)
    p.begin_transaction()
    send(p, topic, [b"d"], partition=1)
    p.send_offsets_to_transaction([TopicPartition(topic, 0, 1)], c.consumer_group_metadata(), 30)
    st = describe_txn(b, "txn-d")
    check(st["TransactionState"] == "Ongoing", "open transaction: %s" % st)
    parts = sorted((t["Topic"], pp) for t in st["Topics"] for pp in t["Partitions"])
    check((topic, 1) in parts and (topic, 0) not in parts and any(t == "__consumer_offsets" for t, _ in parts),
          "open transaction's partitions: %s" % parts)
    check(st["TransactionStartTimeMs"] > 0, "open transaction's start time %s" % st)
    r = raw(b, "ListTransactions", 0, {"StateFilters": ["Ongoing"], "ProducerIdFilters": []})
    check(r["ErrorCode"] == 0, "ListTransactions error %d" % r["ErrorCode"])
    ongoing = {t["TransactionalId"]: (t["ProducerId"], t["TransactionState"]) for t in r["TransactionStates"]}
    check(ongoing.get("txn-d") == (st["ProducerId"], "Ongoing"), "ListTransactions Ongoing: %s" % ongoing)
    p.commit_transaction(30)
    st = wait_until(lambda: (lambda s: s if s["TransactionState"] == "CompleteCommit" else None)(
        describe_txn(b, "txn-d")), 10, "CompleteCommit")
    check(st["Topics"] == [], "completed transaction still lists partitions: %s" % st)
    r = raw(b, "ListTransactions", 0, {"StateFilters": ["Ongoing"], "ProducerIdFilters": []})
    check("txn-d" not in [t["TransactionalId"] for t in r["TransactionStates"]],
          "committed transaction listed as Ongoing")
    r = raw(b, "ListTransactions", 0, {"StateFilters": [], "ProducerIdFilters": [st["ProducerId"]]})
    check([t["TransactionalId"] for t in r["TransactionStates"]] == ["txn-d"],
          "ListTransactions by producer id: %s" % r["TransactionStates"])
    r = raw(b, "DescribeTransactions", 0, {"TransactionalIds": ["txn-never-used"]})
    check(r["TransactionStates"][0]["ErrorCode"] == 105,
          "unknown id: %s (expected TRANSACTIONAL_ID_NOT_FOUND 105)" % r["TransactionStates"][0])
    c.close()
    return "Ongoing with 2 partitions, then CompleteCommit"


def case_timeout(b):
    topic = "txn-t"
    create_topic(b.bootstrap, topic, 1)
    stalled = txn_producer(b.bootstrap, "txn-t", **{"transaction.timeout.ms": 2000})
    stalled.begin_transaction()
    st_vals = [b"stalled-%d" % i for i in range(5)]
    send(stalled, topic, st_vals)
    start = time.monotonic()
    open_ = open_txn_producers(b, topic)
    check(len(open_) == 1 and open_[0][2] == 0, "the stalled transaction is not open: %s" % open_)
    pid, epoch, _ = open_[0]
    after = [b"after-%d" % i for i in range(5)]
    plain_send(b.bootstrap, topic, after)
    ends = end_offsets(b.bootstrap, topic)
    early = time.monotonic() - start
    check(early > 1.5 or ends == (0, 10),
          "%.2fs into a 2 s transaction: end offsets %s, expected (0, 10)" % (early, ends))
    wait_until(lambda: end_offsets(b.bootstrap, topic)[0] == 11, 25,
               lambda: "the broker to abort the timed-out transaction (end offsets %s)"
               % (end_offsets(b.bootstrap, topic),))
    waited = time.monotonic() - start
    check(waited >= 1.5, "aborted %.2fs into a 2 s transaction" % waited)
    check(values_of(b.bootstrap, topic, True) == after, "read_committed after the timeout")
    check(values_of(b.bootstrap, topic, False) == st_vals + after, "read_uncommitted after the timeout")
    # The ABORT marker is written before CompleteAbort is.
    st = wait_until(lambda: (lambda s: s if s["TransactionState"] != "PrepareAbort" else None)(
        describe_txn(b, "txn-t")), 10, "PrepareAbort to complete")
    check(st["TransactionState"] == "CompleteAbort" and st["ProducerId"] == pid and st["ProducerEpoch"] > epoch,
          "after the timeout: %s (the stalled producer had id %d epoch %d)" % (st, pid, epoch))
    err = expect_failure(lambda: stalled.commit_transaction(15), "commit after the broker aborted on timeout")
    check(values_of(b.bootstrap, topic, True) == after, "read_committed after the stalled commit attempt")
    # The id is usable again by a new instance.
    fresh = txn_producer(b.bootstrap, "txn-t")
    fresh.begin_transaction()
    send(fresh, topic, [b"fresh"])
    fresh.commit_transaction(30)
    check(values_of(b.bootstrap, topic, True) == after + [b"fresh"], "read_committed after a new instance")
    return "aborted after %.1fs; stalled commit: %s" % (waited, err)


def case_restart(b):
    src, out, group = "txn-r-in", "txn-r-out", "txn-r-g"
    create_topic(b.bootstrap, src, 1)
    create_topic(b.bootstrap, out, 1)
    c = group_meta(b.bootstrap, group)
    meta = c.consumer_group_metadata()
    p1 = txn_producer(b.bootstrap, "txn-r-1")

    def txn(p, vals, offset):
        p.begin_transaction()
        send(p, out, vals)
        p.send_offsets_to_transaction([TopicPartition(src, 0, offset)], meta, 30)
        p.commit_transaction(30)

    e1 = [b"e1-%d" % i for i in range(5)]
    txn(p1, e1, 5)
    b.stop()
    b.start()
    check(group_offsets(b.bootstrap, group, src, 1) == {0: 5}, "after SIGTERM: offsets %s"
          % group_offsets(b.bootstrap, group, src, 1))
    check(values_of(b.bootstrap, out, True) == e1, "after SIGTERM: read_committed")

    e2 = [b"e2-%d" % i for i in range(5)]
    txn(p1, e2, 8)
    b.kill()  # right after the commit was acknowledged
    b.start()
    wait_until(lambda: end_offsets(b.bootstrap, out)[0] == end_offsets(b.bootstrap, out)[1], 15,
               "the acknowledged commit to complete after the SIGKILL")
    got = group_offsets(b.bootstrap, group, src, 1)
    check(got == {0: 8}, "acknowledged transactional offset lost by SIGKILL: %s" % got)
    check(values_of(b.bootstrap, out, True) == e1 + e2, "after SIGKILL: read_committed %s"
          % values_of(b.bootstrap, out, True))

    # Open at the crash: aborted by its timeout after the restart.
    p2 = txn_producer(b.bootstrap, "txn-r-2", **{"transaction.timeout.ms": 3000})
    p2.begin_transaction()
    e3 = [b"e3-open-%d" % i for i in range(5)]
    send(p2, out, e3)
    p2.send_offsets_to_transaction([TopicPartition(src, 0, 12)], meta, 30)
    check(describe_txn(b, "txn-r-2")["TransactionState"] == "Ongoing", "p2's transaction is not open")
    b.kill()
    b.start()
    start = time.monotonic()
    st = wait_until(lambda: (lambda s: s if s["TransactionState"] == "CompleteAbort" else None)(
        describe_txn(b, "txn-r-2")), 25, lambda: "the open transaction to be aborted after the restart (%s)"
        % describe_txn(b, "txn-r-2"))
    wait_until(lambda: end_offsets(b.bootstrap, out)[0] == end_offsets(b.bootstrap, out)[1], 10,
               "the read_committed end to reach the high watermark")
    got = group_offsets(b.bootstrap, group, src, 1)
    check(got == {0: 8}, "offsets of the aborted transaction applied: %s" % got)
    check(values_of(b.bootstrap, out, True) == e1 + e2, "aborted records visible after restart")
    check(values_of(b.bootstrap, out, False) == e1 + e2 + e3, "read_uncommitted after the abort")

    # p1 survived both restarts.
    e4 = [b"e4-%d" % i for i in range(5)]
    txn(p1, e4, 15)
    check(group_offsets(b.bootstrap, group, src, 1) == {0: 15}, "p1's commit after the restarts")
    check(values_of(b.bootstrap, out, True) == e1 + e2 + e4, "p1's records after the restarts")
    c.close()
    return "offsets 5 and 8 kept; open transaction aborted %.1fs after restart (%s)" % (
        time.monotonic() - start, st["TransactionState"])


def case_many_ids_restart(b):
    """20 transactional ids commit, 3 are left open; after a SIGKILL restart
    every id is still known with its producer id and epoch, the open ones are
    aborted by their timeout, and a new instance of each id gets a higher
    epoch (the replayed state still fences)."""
    topic = "txn-m"
    create_topic(b.bootstrap, topic, 3)
    committed_ids = ["txn-m-%d" % i for i in range(20)]
    open_ids = ["txn-m-open-%d" % i for i in range(3)]
    before = {}
    expected = {0: [], 1: [], 2: []}
    producers = []
    for i, tid in enumerate(committed_ids + open_ids):
        p = txn_producer(b.bootstrap, tid, **{"transaction.timeout.ms": 4000})
        p.begin_transaction()
        send(p, topic, [tid.encode()], partition=i % 3)
        if tid in committed_ids:
            p.commit_transaction(30)
            expected[i % 3].append(tid.encode())
        producers.append(p)  # open ones stay open until the broker aborts them
        st = describe_txn(b, tid)
        before[tid] = (st["ProducerId"], st["ProducerEpoch"])
    check(len({pid for pid, _ in before.values()}) == len(before), "producer ids shared: %s" % before)
    b.kill()
    b.start()
    r = raw(b, "ListTransactions", 0, {"StateFilters": [], "ProducerIdFilters": []})
    listed = {t["TransactionalId"]: t["ProducerId"] for t in r["TransactionStates"] if t["TransactionalId"].startswith("txn-m-")}
    check(listed == {tid: before[tid][0] for tid in before}, "after the restart ListTransactions: %s, before %s"
          % (listed, before))
    for tid in open_ids:
        wait_until(lambda: describe_txn(b, tid)["TransactionState"] == "CompleteAbort", 25,
                   lambda: "%s to be aborted after the restart: %s" % (tid, describe_txn(b, tid)))
    for part in range(3):
        wait_until(lambda: end_offsets(b.bootstrap, topic, part)[0] == end_offsets(b.bootstrap, topic, part)[1],
                   10, "partition %d stable" % part)
        got = values_of(b.bootstrap, topic, True, part)
        check(got == expected[part], "partition %d read_committed %s, expected %s" % (part, got, expected[part]))
    for tid in committed_ids[:5] + open_ids:
        p = txn_producer(b.bootstrap, tid)
        st = describe_txn(b, tid)
        check(st["ProducerId"] == before[tid][0] and st["ProducerEpoch"] > before[tid][1],
              "%s re-initialised after the restart: %s, before %s" % (tid, st, before[tid]))
        producers.append(p)
    return "%d ids replayed, %d open ones aborted" % (len(listed), len(open_ids))


CASES = [case_aborted_invisible, case_zombie_fenced, case_txn_offsets, case_require_stable,
         case_describe_list, case_timeout, case_restart, case_many_ids_restart]

if __name__ == "__main__":
    run_cases(CASES, "case_", config=CONFIG)
