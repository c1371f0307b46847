"""Dynamic broker configs applied at run time, with confluent-kafka's
AdminClient (AlterConfigs on BROKER "0"):

- retention: a topic without its own retention.ms fills several small
  segments with records ten minutes old; setting log.retention.ms=60000
  deletes its old segments without a restart (the low watermark moves,
  within a few retention checks: log.retention.check.interval.ms=200), while
  a topic with its own retention.ms keeps everything; DescribeConfigs shows
  the broker key and the topic's inherited value as DYNAMIC_BROKER_CONFIG.
- max_message_bytes: message.max.bytes=600 refuses a 1,000-byte record at
  once (MSG_SIZE_TOO_LARGE), a topic with its own max.message.bytes still
  takes it.
- io_threads: num.io.threads=5 grows the broker's I/O pool to five threads
  (named spate-io) at once, num.io.threads=1 shrinks it to one, and the
  broker keeps answering.
- read-only keys (log.retention.check.interval.ms, num.partitions) are
  refused with INVALID_REQUEST "Cannot update these configs dynamically".
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, create_topic, wait_until, watermarks
from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource

INVALID_REQUEST = 42


def alter_broker(admin, settings):
    """AlterConfigs replaces BROKER "0"'s whole dynamic set."""
    f = list(admin.alter_configs([ConfigResource("broker", "0", set_config=settings)]).values())[0]
    f.result(30)


def describe(admin, res):
    return list(admin.describe_configs([res]).values())[0].result(30)


def produce(bootstrap, topic, n, size, timestamp_ms=None):
    """Produces n records of `size` bytes; returns the delivery errors."""
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 0,
                  "message.max.bytes": 10_000_000, "retries": 0})
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err)

    for i in range(n):
        kw = {"timestamp": timestamp_ms} if timestamp_ms else {}
        p.produce(topic, value=b"x" * size, key=b"%d" % i, on_delivery=on_delivery, **kw)
        p.poll(0)
    check(p.flush(30) == 0, "producer did not flush")
    return errors


def case_retention(admin, bootstrap):
    small = {"segment.bytes": "1024"}
    create_topic(bootstrap, "dyn-ret", 1, small)
    create_topic(bootstrap, "dyn-ret-own", 1, dict(small, **{"retention.ms": "86400000"}))
    old = int(time.time() * 1000) - 600_000
    for t in ("dyn-ret", "dyn-ret-own"):
        check(not produce(bootstrap, t, 40, 200, old), "produce to %s failed" % t)
    low = watermarks(bootstrap, "dyn-ret", [0])[0][0]
    check(low == 0, "low watermark %d before the change" % low)

    alter_broker(admin, {"log.retention.ms": "60000"})
    low = wait_until(lambda: watermarks(bootstrap, "dyn-ret", [0])[0][0], 15,
                     "dyn-ret's old segments deleted after log.retention.ms=60000")
    check(low > 0, "low watermark %d" % low)
    own = watermarks(bootstrap, "dyn-ret-own", [0])[0]
    check(own == (0, 40), "the topic with its own retention.ms kept everything: %s" % (own,))

    b = describe(admin, ConfigResource("broker", "0"))["log.retention.ms"]
    check(b.value == "60000" and b.source == ConfigSource.DYNAMIC_BROKER_CONFIG.value,
          "broker log.retention.ms = %s source %s" % (b.value, b.source))
    t = describe(admin, ConfigResource("topic", "dyn-ret"))["retention.ms"]
    check(t.value == "60000" and t.source == ConfigSource.DYNAMIC_BROKER_CONFIG.value,
          "dyn-ret's retention.ms described as %s source %s" % (t.value, t.source))


def case_max_message_bytes(admin, bootstrap):
    create_topic(bootstrap, "dyn-max", 1)
    create_topic(bootstrap, "dyn-max-own", 1, {"max.message.bytes": "100000"})
    check(not produce(bootstrap, "dyn-max", 1, 1000), "1,000 bytes refused before the change")
    # AlterConfigs replaces the broker's set: keep log.retention.ms.
    alter_broker(admin, {"log.retention.ms": "60000", "message.max.bytes": "600"})
    errors = produce(bootstrap, "dyn-max", 1, 1000)
    check(len(errors) == 1 and errors[0].code() == KafkaError.MSG_SIZE_TOO_LARGE,
          "1,000 bytes after message.max.bytes=600: %s" % errors)
    check(not produce(bootstrap, "dyn-max-own", 1, 1000), "own max.message.bytes ignored")


def io_threads(pid):
    n = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, task)) as f:
                n += f.read().strip() == "spate-io"
        except (FileNotFoundError, ProcessLookupError):
            pass  # the thread left meanwhile (before open, or before read)
    return n


def case_io_threads(admin, pid, bootstrap):
    settings = {"log.retention.ms": "60000", "message.max.bytes": "600"}
    for threads in (5, 1):
        alter_broker(admin, dict(settings, **{"num.io.threads": str(threads)}))
        wait_until(lambda: io_threads(pid) == threads, 10,
                   lambda: "%d spate-io threads (now %d)" % (threads, io_threads(pid)))
        check(not produce(bootstrap, "dyn-max-own", 1, 100), "produce with %d I/O threads" % threads)


def case_read_only(admin):
    for key, value in (("log.retention.check.interval.ms", "1000"), ("num.partitions", "3")):
        try:
            alter_broker(admin, {key: value})
            raise AssertionError("read-only %s altered" % key)
        except KafkaException as e:
            err = e.args[0]
            check(err.code() == INVALID_REQUEST and
                  "Cannot update these configs dynamically" in err.str(),
                  "%s refused with %s" % (key, err))


def main():
    with Broker(config={"log.retention.check.interval.ms": "200"}) as b:
        admin = AdminClient({"bootstrap.servers": b.bootstrap})
        case_retention(admin, b.bootstrap)
        case_max_message_bytes(admin, b.bootstrap)
        case_io_threads(admin, b.proc.pid, b.bootstrap)
        case_read_only(admin)
    print("log.retention.ms, message.max.bytes and num.io.threads applied at run time; "
          "read-only keys refused")


if __name__ == "__main__":
    main()
