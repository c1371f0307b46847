"""Idempotent producers (librdkafka via confluent-kafka, enable.idempotence)
through a TCP proxy that cuts connections after the broker has answered, so
the producer retries batches the broker already appended; the broker is also
killed with SIGKILL once mid-stream. Every record must then be in the log
exactly once, in production order per partition (and the proxy must have
cut at least one connection)."""

import os
import random
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, consume_all, create_topic, watermarks
from confluent_kafka import Producer
from kafka_schema import SchemaConn

TOPIC = "idem"
PARTITIONS = 3
RECORDS = 30000


class cutting_proxy:
    """Forwards 127.0.0.1:<port> to the broker; drops a broker->client chunk
    and closes both sockets with probability `cut_rate` (after the broker has
    processed the request the chunk answers)."""

    def __init__(self, cut_rate, seed):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.upstream = None
        self.cut_rate = cut_rate
        self.rng = random.Random(seed)
        self.cuts = 0
        self.cutting = True
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = self.upstream
            server = None
            if upstream is None:  # the broker is restarting
                client.close()
                continue
            try:
                server = socket.create_connection(("127.0.0.1", upstream), timeout=5)
                server.settimeout(None)
                # A TCP self-connect to the broker's free port would keep it
                # from binding again.
                self_connect = server.getsockname() == server.getpeername()
            except OSError:
                # The broker refused or reset the connection (it is being
                # killed or restarted): drop this client, keep accepting.
                client.close()
                if server is not None:
                    server.close()
                continue
            if self_connect:
                server.close()
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, src, dst, from_broker):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_broker:
                    with self.lock:
                        cut = self.cutting and self.rng.random() < self.cut_rate
                        if cut:
                            self.cuts += 1
                    if cut:
                        break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def main():
    proxy = cutting_proxy(cut_rate=0.04, seed=1234)
    with Broker(extra_args=["--advertise", "127.0.0.1:%d" % proxy.port]) as broker:
        proxy.upstream = broker.port
        bootstrap = "127.0.0.1:%d" % proxy.port
        proxy.cutting = False
        create_topic(bootstrap, TOPIC, PARTITIONS)
        proxy.cutting = True

        errors = []
        acked = [0]

        def on_delivery(err, _msg):
            if err is not None:
                errors.append(err)
            else:
                acked[0] += 1

        p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                      "linger.ms": 2, "batch.num.messages": 200,
                      "socket.connection.setup.timeout.ms": 5000,
                      "reconnect.backoff.ms": 20, "reconnect.backoff.max.ms": 200,
                      "retry.backoff.ms": 20, "message.timeout.ms": 120000})
        killed = False
        for i in range(RECORDS):
            part = i % PARTITIONS
            while True:
                try:
                    p.produce(TOPIC, value=b"%d" % i, partition=part, on_delivery=on_delivery)
                    break
                except BufferError:
                    p.poll(0.05)
            if i % 500 == 0:
                p.poll(0)
            if not killed and i == RECORDS // 2:
                p.poll(1)
                proxy.upstream = None
                broker.kill()
                time.sleep(0.5)
                broker.start()
                proxy.upstream = broker.port
                killed = True
        remaining = p.flush(120)
        check(remaining == 0, "%d records not delivered" % remaining)
        check(not errors, "%d delivery errors, first: %s" % (len(errors), errors[:1]))
        check(acked[0] == RECORDS, "acked %d of %d" % (acked[0], RECORDS))
        check(proxy.cuts > 0, "the proxy cut no connection")
        proxy.cutting = False

        marks = watermarks(bootstrap, TOPIC, range(PARTITIONS))
        for part in range(PARTITIONS):
            lo, hi = marks[part]
            recs = consume_all(bootstrap, TOPIC, lo, hi - lo, partition=part)
            values = [int(r[2]) for r in recs]
            expected = list(range(part, RECORDS, PARTITIONS))
            dupes = len(values) - len(set(values))
            check(dupes == 0, "partition %d: %d duplicated records" % (part, dupes))
            check(values == expected,
                  "partition %d: %d records, expected %d in order (first difference at %s)"
                  % (part, len(values), len(expected),
                     next((k for k, (a, b) in enumerate(zip(values, expected)) if a != b),
                          min(len(values), len(expected)))))
        # DescribeProducers: each partition remembers the producer, its epoch
        # and the last sequence it wrote.
        conn = SchemaConn(broker.port)
        r = conn.call("DescribeProducers", 0, {"Topics": [
            {"Name": TOPIC, "PartitionIndexes": list(range(PARTITIONS))}]})
        conn.close()
        parts = r["Topics"][0]["Partitions"]
        check(len(parts) == PARTITIONS, "DescribeProducers answered %d partitions" % len(parts))
        for pr in parts:
            check(pr["ErrorCode"] == 0, "DescribeProducers error %d" % pr["ErrorCode"])
            active = pr["ActiveProducers"]
            check(len(active) >= 1, "partition %d: no active producer" % pr["PartitionIndex"])
            check(all(a["ProducerId"] >= 0 and a["ProducerEpoch"] >= 0 and a["LastSequence"] >= 0
                      and a["CurrentTxnStartOffset"] == -1 for a in active),
                  "partition %d: unexpected producer state %s" % (pr["PartitionIndex"], active))
        print("idempotence: %d records exactly once across %d cut connections and a broker "
              "SIGKILL" % (RECORDS, proxy.cuts))


if __name__ == "__main__":
    main()
