"""kill -9 of the broker, five times, while a librdkafka producer (acks=all,
one request in flight) writes continuously. After every restart and at the
end, every acknowledged record is present at the offset it was acknowledged
with, acknowledged records are in production order, and the whole log reads
back with valid CRCs."""

import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, consume_all
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

TOPIC = "crash"
KILLS = 5


def read_log(bootstrap):
    """The records below the current high watermark: list index == offset
    (the log start must stay 0)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
    lo, hi = c.get_watermark_offsets(TopicPartition(TOPIC, 0), timeout=20)
    c.close()
    check(lo == 0, "log start moved to %d" % lo)
    out = []
    for off, _key, value, _headers, _ts in consume_all(bootstrap, TOPIC, 0, hi):
        if off >= hi:  # written after the watermark query
            break
        check(off == len(out), "offset gap: got %d, expected %d" % (off, len(out)))
        out.append(value)
    check(len(out) == hi, "read %d of %d records" % (len(out), hi))
    return out


def verify(bootstrap, acked):
    log = read_log(bootstrap)
    acked = sorted(acked)
    last = -1
    for seq, off in acked:
        check(off > last, "acknowledged record %d at offset %d is not after %d" % (seq, off, last))
        last = off
        check(off < len(log), "acknowledged record %d at offset %d missing (log end %d)"
              % (seq, off, len(log)))
        check(log[off] == b"crash-%d" % seq, "offset %d holds %r, acknowledged %d"
              % (off, log[off][:40], seq))
    return len(log)


def main():
    random.seed(int(os.environ.get("SPATE_TEST_SEED", "1")))
    with Broker() as b:
        admin = AdminClient({"bootstrap.servers": b.bootstrap})
        for f in admin.create_topics([NewTopic(TOPIC, 1, 1)]).values():
            f.result(30)
        acked = []
        lock = threading.Lock()
        stop = threading.Event()
        left = []  # messages the producer could not deliver by the end

        def on_delivery(err, msg):
            if err is None:
                with lock:
                    acked.append((int(msg.value()[6:]), msg.offset()))

        def produce():
            p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all", "linger.ms": 5,
                          "max.in.flight.requests.per.connection": 1, "message.timeout.ms": 120000,
                          "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500,
                          "queue.buffering.max.messages": 20000})
            seq = 0
            while not stop.is_set():
                try:
                    p.produce(TOPIC, value=b"crash-%d" % seq, partition=0, on_delivery=on_delivery)
                    seq += 1
                except BufferError:
                    p.poll(0.01)
                if seq % 200 == 0:
                    p.poll(0.01)  # about 20,000 records/s: keeps the re-reads short
            left.append(p.flush(150))

        t = threading.Thread(target=produce)
        t.start()
        counts = []
        try:
            for k in range(KILLS):
                time.sleep(random.uniform(0.8, 1.8))
                b.kill()
                with lock:
                    snapshot = list(acked)
                counts.append(len(snapshot))
                b.start()
                n = verify(b.bootstrap, snapshot)
                print("kill %d: %d acknowledged before the kill, log has %d" % (k + 1, len(snapshot), n))
            time.sleep(1.0)
        finally:
            stop.set()
            t.join()
        check(left == [0], "producer left %s messages undelivered" % left)
        check(all(counts[i] < counts[i + 1] for i in range(len(counts) - 1)),
              "no progress between kills: %s" % counts)
        check(len(acked) > counts[-1], "nothing acknowledged after the last restart")
        n = verify(b.bootstrap, acked)
        b.restart()
        check(verify(b.bootstrap, acked) == n, "log length changed across a clean restart")
        b.stop()
        print("ok: %d acknowledged, log %d records" % (len(acked), n))


if __name__ == "__main__":
    main()
