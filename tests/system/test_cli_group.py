"""`spate group list|describe|reset-offsets|delete` against `spate serve`.

A confluent-kafka consumer group commits known offsets on a 2-partition topic
whose records carry known timestamps; the CLI must list the group, describe
its committed offsets, log ends, lag and member, refuse to reset or delete
it while it has a member, and, once it is empty, reset offsets to
earliest / an offset (clamped to the log) / a date-time / latest (checked
with describe and with a consumer resuming from the new offsets), honour
--dry-run, and delete it."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, GROUP_TEST_CONFIG, check, create_topic
from confluent_kafka import Consumer, Producer, TopicPartition

TOPIC = "orders"
GROUP = "cli-g1"
PARTITIONS = 2
PER_PARTITION = 10
T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z; record i of a partition has T0 + i s


def cli(broker, *args, want_rc=0):
    """Runs `spate ARGS --bootstrap B`; checks the exit code; returns (stdout, stderr)."""
    cmd = [os.environ["SPATE_BIN"]] + list(args) + ["--bootstrap", broker.bootstrap]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    check(p.returncode == want_rc, "%s exited %d, want %d\nstdout:\n%s\nstderr:\n%s"
          % (" ".join(args), p.returncode, want_rc, p.stdout, p.stderr))
    return p.stdout, p.stderr


def table(out, header):
    """Rows (lists of cells) of the table that starts with `header` in `out`."""
    lines = out.splitlines()
    start = next((i for i, l in enumerate(lines) if l.split() == header), None)
    check(start is not None, "no table %s in:\n%s" % (header, out))
    return [l.split() for l in lines[start + 1:] if l.strip()]


OFFSETS_HEADER = ["TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID",
                  "CLIENT-ID", "HOST"]


def describe(broker, group=GROUP):
    """{partition: (current, log_end, lag, member, client, host)} of TOPIC, and the output."""
    out, _ = cli(broker, "group", "describe", group)
    rows = {}
    for r in table(out, OFFSETS_HEADER):
        check(len(r) == 8 and r[0] == TOPIC, "bad describe row %s in:\n%s" % (r, out))
        rows[int(r[1])] = tuple(r[2:])
    return rows, out


def offsets(broker, group=GROUP):
    """{partition: committed offset as printed} for TOPIC."""
    rows, _ = describe(broker, group)
    return {p: r[0] for p, r in rows.items()}


def reset(broker, *args, want_rc=0, group=GROUP):
    out, err = cli(broker, "group", "reset-offsets", group, *args, want_rc=want_rc)
    plan = {}
    if want_rc == 0:
        for r in table(out, ["TOPIC", "PARTITION", "NEW-OFFSET"]):
            plan[(r[0], int(r[1]))] = int(r[2])
    return plan, err


def groups(broker, *args):
    out, _ = cli(broker, "group", "list", *args)
    return {r[0]: (r[1], r[2]) for r in table(out, ["GROUP", "STATE", "PROTOCOL-TYPE"])}


def consumer(broker, offset_reset="error"):
    return Consumer({"bootstrap.servers": broker.bootstrap, "group.id": GROUP,
                     "client.id": "group-test-client", "enable.auto.commit": False,
                     "auto.offset.reset": offset_reset, "session.timeout.ms": 6000,
                     "heartbeat.interval.ms": 500})


def read_from_group(broker, count):
    """Joins GROUP and reads `count` records (then 1 s more to catch extras);
    returns {partition: [offsets]}."""
    c = consumer(broker)
    c.subscribe([TOPIC])
    got = {}
    deadline = time.monotonic() + 30
    n = 0
    end = None
    while end is None or time.monotonic() < end:
        for m in c.consume(100, 0.2):
            check(m.error() is None, "consumer error: %s" % m.error())
            got.setdefault(m.partition(), []).append(m.offset())
            n += 1
        if n >= count and end is None:
            end = time.monotonic() + 1.0
        check(time.monotonic() < deadline, "read %d of %d records: %s" % (n, count, got))
    c.close()
    return got


def main():
    cfg = os.path.join(os.environ.get("TMPDIR", "/tmp"), "cli-group-%d.properties" % os.getpid())
    with open(cfg, "w") as f:
        f.write("".join("%s=%s\n" % kv for kv in GROUP_TEST_CONFIG.items()))
    try:
        with Broker(extra_args=["--config", cfg]) as b:
            run(b)
            b.stop()
    finally:
        os.unlink(cfg)
    print("ok")


def run(b):
    produce_records(b)
    check_usage_errors(b)
    c = join_and_commit(b)
    check_active_group(b)
    check_refused_while_active(b)
    c.close()
    check_empty_group(b)
    check_reset_to_earliest_and_offset(b)
    check_reset_to_datetime(b)
    check_consumer_resumes(b)
    check_operation_errors(b)
    check_simple_group_and_delete(b)


def produce_records(b):
    """PER_PARTITION records on each partition of a new TOPIC, record i at T0 + i s."""
    create_topic(b.bootstrap, TOPIC, PARTITIONS)
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all"})
    for part in range(PARTITIONS):
        for i in range(PER_PARTITION):
            p.produce(TOPIC, value=b"p%d-%d" % (part, i), partition=part, timestamp=T0 + i * 1000)
    check(p.flush(30) == 0, "producer did not flush")


def check_usage_errors(b):
    """Usage errors exit 2 without contacting the broker."""
    for args in (["group"], ["group", "frob"], ["group", "describe"],
                 ["group", "list", "--state", "running"],
                 ["group", "reset-offsets", GROUP, "--to-earliest"],
                 ["group", "reset-offsets", GROUP, "--topic", TOPIC],
                 ["group", "reset-offsets", GROUP, "--topic", TOPIC, "--to-earliest", "--to-latest"],
                 ["group", "reset-offsets", GROUP, "--topic", TOPIC, "--to-datetime", "2023-11-14"],
                 ["group", "delete"]):
        cli(b, *args, want_rc=2)


def join_and_commit(b):
    """An active member that has consumed everything and committed 7 and 4;
    returns its (open) consumer."""
    c = consumer(b, "earliest")
    c.subscribe([TOPIC])
    seen = 0
    deadline = time.monotonic() + 30
    while seen < PARTITIONS * PER_PARTITION:
        for m in c.consume(100, 0.2):
            check(m.error() is None, "consumer error: %s" % m.error())
            seen += 1
        check(time.monotonic() < deadline, "group consumer read %d records" % seen)
    c.commit(offsets=[TopicPartition(TOPIC, 0, 7), TopicPartition(TOPIC, 1, 4)],
             asynchronous=False)
    return c


def check_active_group(b):
    """list and describe (with --members) show the Stable group and its member."""
    listed = groups(b)
    check(listed.get(GROUP) == ("Stable", "consumer"), "list: %s" % listed)
    check(GROUP in groups(b, "--state", "stable"), "--state stable lacks the group")
    check(GROUP not in groups(b, "--state", "Empty"), "--state Empty lists a Stable group")

    rows, out = describe(b)
    check("State: Stable" in out and "Members: 1" in out and "Coordinator: 127.0.0.1:" in out,
          "describe summary:\n" + out)
    check(rows[0][:3] == ("7", "10", "3") and rows[1][:3] == ("4", "10", "6"),
          "describe offsets/log-end/lag: %s" % rows)
    for part in range(PARTITIONS):
        member, client, host = rows[part][3:]
        # HOST: "-" while the broker's JoinGroup does not record the client
        # address (DescribeGroups then reports an empty client_host).
        check(member.startswith("group-test-client-") and client == "group-test-client"
              and (host == "-" or "127.0.0.1" in host),
              "describe member columns of partition %d: %s" % (part, rows[part]))
    out, _ = cli(b, "group", "describe", GROUP, "--members")
    mrows = table(out, ["MEMBER-ID", "CLIENT-ID", "HOST", "PARTITIONS", "ASSIGNMENT"])
    check(len(mrows) == 1 and mrows[0][1] == "group-test-client" and mrows[0][3] == "2"
          and mrows[0][4] == "%s:0,1" % TOPIC, "describe --members:\n" + out)


def check_refused_while_active(b):
    """While the group has a member: reset and delete fail; a dry run only plans."""
    _, err = reset(b, "--topic", TOPIC, "--to-earliest", want_rc=1)
    check("UNKNOWN_MEMBER_ID" in err and "active members" in err, "active reset message: " + err)
    plan, err = reset(b, "--topic", TOPIC, "--to-earliest", "--dry-run")
    check(plan == {(TOPIC, 0): 0, (TOPIC, 1): 0} and "dry run" in err, "dry run plan %s" % plan)
    out, err = cli(b, "group", "delete", GROUP, want_rc=1)
    check("NON_EMPTY_GROUP" in out and "not deleted" in err, "active delete:\n%s%s" % (out, err))
    check(offsets(b) == {0: "7", 1: "4"}, "offsets changed by refused operations")


def check_empty_group(b):
    """Empty group: the member columns turn to "-", offsets stay."""
    check(groups(b, "--state", "empty").get(GROUP) == ("Empty", "consumer"),
          "list after close: %s" % groups(b))
    rows, out = describe(b)
    check("State: Empty" in out and "Members: 0" in out, "describe empty:\n" + out)
    check(rows == {0: ("7", "10", "3", "-", "-", "-"), 1: ("4", "10", "6", "-", "-", "-")},
          "describe empty rows: %s" % rows)


def check_reset_to_earliest_and_offset(b):
    """--to-earliest, then --to-offset on one partition and clamped to the log."""
    plan, _ = reset(b, "--topic", TOPIC, "--to-earliest")
    check(plan == {(TOPIC, 0): 0, (TOPIC, 1): 0}, "to-earliest plan %s" % plan)
    rows, _ = describe(b)
    check(rows[0][:3] == ("0", "10", "10") and rows[1][:3] == ("0", "10", "10"),
          "after to-earliest: %s" % rows)

    plan, _ = reset(b, "--topic", TOPIC + ":1", "--to-offset", "3")
    check(plan == {(TOPIC, 1): 3}, "to-offset on one partition: %s" % plan)
    check(offsets(b) == {0: "0", 1: "3"}, "after to-offset 3 on p1: %s" % offsets(b))
    plan, _ = reset(b, "--topic", TOPIC, "--to-offset", "99")
    check(plan == {(TOPIC, 0): 10, (TOPIC, 1): 10}, "to-offset clamps to the log end: %s" % plan)
    cli(b, "topic", "delete-records", TOPIC, "--partition", "0", "--before", "2")
    plan, _ = reset(b, "--topic", TOPIC, "--to-offset", "1")
    check(plan == {(TOPIC, 0): 2, (TOPIC, 1): 1}, "to-offset clamps to the log start: %s" % plan)
    check(offsets(b) == {0: "2", 1: "1"}, "after clamped to-offset: %s" % offsets(b))


def check_reset_to_datetime(b):
    """Date-times: the first record at or after the time; after the last record: the log end."""
    plan, _ = reset(b, "--all-topics", "--to-datetime", "2023-11-14T22:13:25Z")
    check(plan == {(TOPIC, 0): 5, (TOPIC, 1): 5}, "to-datetime plan %s" % plan)
    check(offsets(b) == {0: "5", 1: "5"}, "after to-datetime: %s" % offsets(b))
    for ts in ("2023-11-14T23:13:24.500+01:00", str(T0 + 4500)):
        plan, _ = reset(b, "--topic", TOPIC, "--to-datetime", ts, "--dry-run")
        check(plan == {(TOPIC, 0): 5, (TOPIC, 1): 5}, "to-datetime %s plan %s" % (ts, plan))
    plan, _ = reset(b, "--topic", TOPIC, "--to-datetime", "2023-11-14T22:13:00Z", "--dry-run")
    check(plan == {(TOPIC, 0): 2, (TOPIC, 1): 0}, "to-datetime before the log: %s" % plan)
    plan, _ = reset(b, "--topic", TOPIC, "--to-datetime", "2030-01-01T00:00:00Z", "--dry-run")
    check(plan == {(TOPIC, 0): 10, (TOPIC, 1): 10}, "to-datetime after the log: %s" % plan)
    check(offsets(b) == {0: "5", 1: "5"}, "dry runs changed offsets: %s" % offsets(b))


def check_consumer_resumes(b):
    """A consumer of the group resumes exactly at the reset offsets; then --to-latest."""
    got = read_from_group(b, 10)
    check(got == {0: list(range(5, 10)), 1: list(range(5, 10))}, "resumed at %s" % got)
    plan, _ = reset(b, "--topic", TOPIC + ":0", "--to-offset", "8")
    got = read_from_group(b, 2 + 5)
    check(got == {0: [8, 9], 1: list(range(5, 10))}, "resumed after to-offset 8 at %s" % got)
    plan, _ = reset(b, "--topic", TOPIC, "--to-latest")
    check(plan == {(TOPIC, 0): 10, (TOPIC, 1): 10}, "to-latest plan %s" % plan)
    rows, _ = describe(b)
    check(rows[0][:3] == ("10", "10", "0") and rows[1][:3] == ("10", "10", "0"),
          "after to-latest: %s" % rows)


def check_operation_errors(b):
    """Operation errors exit 1."""
    _, err = reset(b, "--topic", "no-such-topic", "--to-earliest", want_rc=1)
    check("no-such-topic" in err, "missing topic message: " + err)
    _, err = reset(b, "--topic", TOPIC + ":7", "--to-earliest", want_rc=1)
    check("no partition 7" in err, "missing partition message: " + err)
    _, err = cli(b, "group", "describe", "no-such-group", want_rc=1)
    check("does not exist" in err, "describe missing group: " + err)


def check_simple_group_and_delete(b):
    """A group created by a reset alone is a simple (offsets-only) group; delete
    removes both groups and reports a missing one."""
    reset(b, "--topic", TOPIC, "--to-offset", "6", group="cli-simple")
    check(groups(b).get("cli-simple") == ("Empty", "-"), "simple group listing: %s" % groups(b))
    check(offsets(b, "cli-simple") == {0: "6", 1: "6"}, "simple group offsets")

    out, _ = cli(b, "group", "delete", GROUP, "cli-simple")
    res = {r[0]: r[1] for r in table(out, ["GROUP", "RESULT"])}
    check(res == {GROUP: "deleted", "cli-simple": "deleted"}, "delete:\n" + out)
    listed = groups(b)
    check(GROUP not in listed and "cli-simple" not in listed, "deleted groups listed: %s" % listed)
    cli(b, "group", "describe", GROUP, want_rc=1)
    out, _ = cli(b, "group", "delete", "no-such-group", want_rc=1)
    check("GROUP_ID_NOT_FOUND" in out, "delete missing group:\n" + out)


if __name__ == "__main__":
    main()
