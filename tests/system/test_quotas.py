"""Client quotas with real clients (confluent-kafka producers over SASL
SCRAM, `spate quota` for the admin side).

1. `spate quota alter` sets producer_byte_rate=1 MiB/s for User:limited,
   and other entities (a client id, the default user); `spate quota
   describe` shows each, filtered by entity.
2. Two confluent-kafka producers run at once as fast as they can: `limited`
   (the user quota) and `free` (no quota). Over a measured window after a
   warm-up, limited's acknowledged bytes per second are within 10% of the
   quota, while free's are several times higher.
3. Deleting the quota lifts the limit: limited alone goes well past it.
4. A restart keeps the quotas (describe), and the limit applies again.
"""

import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, spate_cli, wait_until  # noqa: E402
from confluent_kafka import Producer  # noqa: E402

QUOTA = 1048576  # bytes per second
VALUE = b"q" * 10000
TOPIC = "quota-load"
WARMUP = 5.0
MEASURE = 10.0


def sasl_port(broker, since=0):
    """The SASL_PLAINTEXT listener's port from the broker's output after
    line `since` (0: none yet)."""
    for line in broker.output[since:]:
        m = re.search(r"kafka listener SASL_PLAINTEXT \(\w+\) on \S+:(\d+)", line)
        if m:
            return int(m.group(1))
    return 0


def producer(bootstrap, user):
    return Producer({
        "bootstrap.servers": bootstrap, "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanisms": "SCRAM-SHA-256", "sasl.username": user,
        "sasl.password": user + "-secret", "client.id": user + "-producer",
        "acks": "1", "linger.ms": 5, "batch.size": 65536,
        "queue.buffering.max.kbytes": 32768, "message.timeout.ms": 120000,
    })


class Load(threading.Thread):
    """Produces VALUE records as fast as the producer takes them until
    `stop` is set; `acks` holds (monotonic time, bytes) of every
    acknowledged record."""

    def __init__(self, p, stop):
        super().__init__(daemon=True)
        self.p, self.stop, self.acks, self.errors = p, stop, [], []

    def on_ack(self, err, msg):
        if err is not None:
            if not self.stop.is_set():  # purged at the end: not a failure
                self.errors.append(str(err))
        else:
            self.acks.append((time.monotonic(), len(msg.value())))

    def run(self):
        while not self.stop.is_set():
            try:
                self.p.produce(TOPIC, VALUE, on_delivery=self.on_ack)
                self.p.poll(0)
            except BufferError:
                self.p.poll(0.05)
        self.p.purge()
        self.p.flush(10)

    def rate(self, start, end):
        return sum(n for t, n in self.acks if start <= t < end) / (end - start)


def run_load(bootstrap, users, warmup, measure):
    """Runs one Load per user at once; returns {user: bytes/s over the
    measured window}."""
    stop = threading.Event()
    loads = {u: Load(producer(bootstrap, u), stop) for u in users}
    for load in loads.values():
        load.start()
    begin = time.monotonic()
    start, end = begin + warmup, begin + warmup + measure
    # Deadline-driven: every producer must have acknowledged past `end`.
    wait_until(lambda: all(any(t >= end for t, _ in load.acks[-50:])
                           for load in loads.values()) or time.monotonic() > end + 30,
               warmup + measure + 40, "the measured window to pass")
    stop.set()
    for load in loads.values():
        load.join(60)
        check(not load.errors, "delivery errors: %s" % load.errors[:3])
    return {u: loads[u].rate(start, end) for u in users}


def describe(broker, *args):
    return spate_cli(broker, "quota", "describe", *args)


def main():
    with Broker(config={
        "listeners": "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
        "sasl.enabled.mechanisms": "SCRAM-SHA-256",
        # A client may burst 4 s worth of its quota (4 windows of 1 s), which
        # a producer at full speed takes within the warm-up.
        "quota.window.num": "4",
        "quota.window.size.seconds": "1",
    }) as b:
        for user in ("limited", "free"):
            spate_cli(b, "user", "create", user, "--password", user + "-secret",
                      "--mechanism", "SCRAM-SHA-256")
        sasl = "127.0.0.1:%d" % wait_until(lambda: sasl_port(b), 10, "the SASL listener")
        spate_cli(b, "topic", "create", TOPIC, "--partitions", "2")

        # 1. Alter and describe.
        out = spate_cli(b, "quota", "alter", "--user", "limited", "--add-config",
                        "producer_byte_rate=%d" % QUOTA)
        check("user-principal 'limited'" in out, out)
        spate_cli(b, "quota", "alter", "--client-id", "reporting", "--add-config",
                  "consumer_byte_rate=2048,request_percentage=25")
        spate_cli(b, "quota", "alter", "--user-default", "--add-config",
                  "controller_mutation_rate=100")
        listing = describe(b)
        check("Quota configs for user-principal 'limited' are producer_byte_rate=1048576.0"
              in listing, listing)
        check("Quota configs for client-id 'reporting' are consumer_byte_rate=2048.0, "
              "request_percentage=25.0" in listing, listing)
        check("Quota configs for the default user-principal are controller_mutation_rate=100.0"
              in listing, listing)
        only = describe(b, "--user", "limited")
        check(only.strip().count("\n") == 0 and "limited" in only, only)
        bad = subprocess.run([b.bin, "quota", "alter", "--user", "x", "--add-config",
                              "producer_byte_rate=1.5", "--bootstrap", b.bootstrap],
                             capture_output=True, text=True, timeout=60)
        check(bad.returncode != 0 and "must be a Long value" in bad.stderr,
              "a fractional byte rate: %s" % bad.stderr)

        # 2. The limited producer holds its quota; the free one does not slow down.
        rates = run_load(sasl, ["limited", "free"], WARMUP, MEASURE)
        print("limited %.0f B/s (quota %d), free %.0f B/s" % (rates["limited"], QUOTA,
                                                             rates["free"]))
        check(abs(rates["limited"] - QUOTA) <= 0.1 * QUOTA,
              "limited producer at %.0f B/s, quota %d" % (rates["limited"], QUOTA))
        check(rates["free"] >= 4 * QUOTA,
              "free producer at only %.0f B/s next to the limited one" % rates["free"])

        # 3. Deleting the quota lifts the limit.
        spate_cli(b, "quota", "alter", "--user", "limited", "--delete-config",
                  "producer_byte_rate")
        check("limited" not in describe(b), describe(b))
        lifted = run_load(sasl, ["limited"], 1.0, 4.0)["limited"]
        print("limited without its quota: %.0f B/s" % lifted)
        check(lifted >= 3 * QUOTA, "no longer limited, yet at %.0f B/s" % lifted)

        # 4. A restart keeps the quotas, and they apply again.
        spate_cli(b, "quota", "alter", "--user", "limited", "--add-config",
                  "producer_byte_rate=%d" % QUOTA)
        lines_before = len(b.output)
        b.restart()
        listing = describe(b)
        check("Quota configs for user-principal 'limited' are producer_byte_rate=1048576.0"
              in listing and "client-id 'reporting'" in listing, listing)
        sasl = "127.0.0.1:%d" % wait_until(lambda: sasl_port(b, lines_before), 10,
                                           "the SASL listener after the restart")
        again = run_load(sasl, ["limited"], WARMUP, 6.0)["limited"]
        print("limited after the restart: %.0f B/s" % again)
        check(abs(again - QUOTA) <= 0.1 * QUOTA, "after the restart: %.0f B/s" % again)
    print("test_quotas: OK")


if __name__ == "__main__":
    main()
