"""Exactly-once sinks under SIGKILL: a sink copies 1,000,000 records (4
partitions) while the test kills `spate serve` with SIGKILL several times
and starts it again on the same data directory. A read_committed consumer
of the sink topic must then see every input row exactly once: nothing lost,
nothing duplicated (aborted transactions of the killed runs are invisible)."""

import json
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402
from spate_broker import check, create_topic, wait_until  # noqa: E402
from spate_sql import SqlServer, sink_rows  # noqa: E402

RECORDS = int(os.environ.get("SPATE_SQL_EOS_RECORDS", "1000000"))
PARTITIONS = 4
KILLS = 3


def produce(bootstrap):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 20,
                  "batch.num.messages": 10000, "queue.buffering.max.messages": 500000,
                  "compression.type": "lz4", "enable.idempotence": True})
    for i in range(RECORDS):
        while True:
            try:
                p.produce("src", value=b'{"id":%d,"v":"value-%d"}' % (i, i), partition=i % PARTITIONS)
                break
            except BufferError:
                p.poll(0.05)
        if i % 10000 == 0:
            p.poll(0)
    check(p.flush(120) == 0, "input not flushed")


def sink_end(bootstrap):
    """Records (committed or not) in the sink topic: the sum of high watermarks."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
    try:
        md = c.list_topics("copy_out", timeout=10).topics.get("copy_out")
        if md is None or md.error is not None:
            return 0
        return sum(c.get_watermark_offsets(TopicPartition("copy_out", p), timeout=10)[1]
                   for p in md.partitions)
    except Exception:  # the topic may not exist yet, or the broker is restarting
        return 0
    finally:
        c.close()


def main():
    with SqlServer() as srv:
        create_topic(srv.bootstrap, "src", PARTITIONS)
        produce(srv.bootstrap)
        conn = srv.connect()
        cur = conn.cursor()
        cur.execute("CREATE SOURCE src (id BIGINT, v TEXT) WITH (topic = 'src', format = 'json')")
        cur.execute("CREATE SINK copy AS SELECT id, v FROM src WITH (topic = 'copy_out', format = 'json')")
        conn.close()
        for k in range(1, KILLS + 1):
            # Kill while the copy is in flight: after it wrote some (more) records.
            target = RECORDS * k // (KILLS + 2)
            wait_until(lambda: sink_end(srv.bootstrap) >= target, 240,
                       "the sink to pass %d records before kill %d" % (target, k))
            srv.kill()
            srv.start()
            print("killed and restarted at >= %d sink records" % target)
        rows = sink_rows(srv.bootstrap, "copy_out", RECORDS, timeout=600, quiet_s=2.0)
        ids = [json.loads(v)["id"] for v in rows]
        seen = set(ids)
        check(len(ids) == len(seen), "%d duplicated rows" % (len(ids) - len(seen)))
        missing = RECORDS - len(seen & set(range(RECORDS)))
        check(missing == 0, "%d rows missing" % missing)
        check(len(ids) == RECORDS, "%d rows, want %d" % (len(ids), RECORDS))
        print("ok: %d rows exactly once after %d kills" % (RECORDS, KILLS))


if __name__ == "__main__":
    main()
