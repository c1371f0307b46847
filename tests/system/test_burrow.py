"""Burrow (Debian's 1.2.1, LinkedIn's consumer-lag monitor) reports the lag
of a consumer group on Spate: a confluent-kafka producer writes 90 records
over 3 partitions (30 each), a group member reads them and commits offset 20
on each partition; Burrow
(its kafka cluster module reading topics and end offsets, its kafka consumer
module reading __consumer_offsets) then lists the group and answers
/v3/kafka/spate/consumer/<group>/lag with a total lag of 30, and 0 once offset
30 is committed on each partition. Burrow 1.2 insists on a ZooKeeper for its
own locks: Debian's zookeeper runs in a temporary directory for the test.
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import GROUP_TEST_CONFIG, Broker, check, create_topic, produce_values, wait_until
from confluent_kafka import Consumer, TopicPartition

TOPIC, GROUP = "burrow-t", "burrow-g"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_zookeeper(tmp):
    port = free_port()
    os.makedirs(os.path.join(tmp, "zk"))
    cp = "/usr/share/java/zookeeper.jar"  # its manifest names its dependencies
    proc = subprocess.Popen(["java", "-Xmx128m", "-Dzookeeper.admin.enableServer=false", "-cp", cp,
                             "org.apache.zookeeper.server.ZooKeeperServerMain", str(port),
                             os.path.join(tmp, "zk")],
                            stdout=open(os.path.join(tmp, "zk.log"), "w"), stderr=subprocess.STDOUT)

    def up():  # a session handshake answered: ZooKeeper serves clients
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5) as s:
                body = struct.pack(">iqiqi", 0, 0, 6000, 0, 16) + b"\0" * 16
                s.sendall(struct.pack(">i", len(body)) + body)
                return len(s.recv(4)) == 4
        except OSError:
            return False
    wait_until(up, 20, "ZooKeeper to listen")
    return proc, port


def start_burrow(tmp, bootstrap, zk_port):
    http = free_port()
    conf = """
[general]
pidfile="{tmp}/burrow.pid"
[logging]
level="info"
[zookeeper]
servers=["127.0.0.1:{zk}"]
timeout=6
root-path="/burrow"
[client-profile.spate]
client-id="burrow-spate"
kafka-version="2.0.0"
[cluster.spate]
class-name="kafka"
servers=["{b}"]
client-profile="spate"
topic-refresh=1
offset-refresh=1
[consumer.spate]
class-name="kafka"
cluster="spate"
servers=["{b}"]
client-profile="spate"
start-latest=false
[httpserver.default]
address="127.0.0.1:{http}"
[storage.default]
class-name="inmemory"
intervals=10
min-distance=0
""".format(tmp=tmp, zk=zk_port, b=bootstrap, http=http)
    with open(os.path.join(tmp, "burrow.toml"), "w") as f:
        f.write(conf)
    proc = subprocess.Popen(["Burrow", "--config-dir", tmp], cwd=tmp,
                            stdout=open(os.path.join(tmp, "burrow.log"), "w"),
                            stderr=subprocess.STDOUT)
    return proc, "http://127.0.0.1:%d" % http


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return json.loads(r.read())
    except (OSError, ValueError):
        return None


def consume_and_commit(bootstrap, per_partition):
    """A group member reads the topic from the start and commits offset
    `per_partition` on each of its 3 partitions."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": GROUP, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest", "session.timeout.ms": 6000})
    c.subscribe([TOPIC])
    seen = set()
    deadline = time.monotonic() + 30
    while len(seen) < 3 and time.monotonic() < deadline:
        m = c.poll(0.2)
        if m is not None and not m.error():
            seen.add(m.partition())
    check(len(seen) == 3, "read partitions %s" % sorted(seen))
    c.commit(offsets=[TopicPartition(TOPIC, p, per_partition) for p in range(3)],
             asynchronous=False)
    c.close()


def total_lag(base):
    r = get("%s/v3/kafka/spate/consumer/%s/lag" % (base, GROUP))
    if not r or r.get("error"):
        return None
    return r["status"]["totallag"]


def main():
    tmp = tempfile.mkdtemp(prefix="spate-burrow-")
    zk = burrow = None
    try:
        with Broker(config=GROUP_TEST_CONFIG) as b:
            create_topic(b.bootstrap, TOPIC, 3)
            produce_values(b.bootstrap, TOPIC, [b"v%d" % i for i in range(90)], 3)
            consume_and_commit(b.bootstrap, 20)
            zk, zk_port = start_zookeeper(tmp)
            burrow, base = start_burrow(tmp, b.bootstrap, zk_port)
            groups = wait_until(lambda: GROUP in ((get(base + "/v3/kafka/spate/consumer") or {})
                                                  .get("consumers") or []), 25,
                                lambda: "Burrow to list the group: %s"
                                % open(os.path.join(tmp, "burrow.log")).read()[-2000:])
            wait_until(lambda: total_lag(base) == 30, 20,
                       lambda: "a total lag of 30, Burrow says %s" % json.dumps(
                           get("%s/v3/kafka/spate/consumer/%s/lag" % (base, GROUP))) + json.dumps(
                           get("%s/v3/kafka/spate/topic/%s" % (base, TOPIC))))
            consume_and_commit(b.bootstrap, 30)
            wait_until(lambda: total_lag(base) == 0, 20,
                       lambda: "a total lag of 0, Burrow says %s" % total_lag(base))
    finally:
        for p in (burrow, zk):
            if p:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print("Burrow lists group %s and reports its lag: 30, then 0" % GROUP)


if __name__ == "__main__":
    main()
