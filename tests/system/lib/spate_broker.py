"""Starts and stops `$SPATE_BIN serve` for the Python system tests.

A Broker owns a data directory; start() launches `spate serve` on 127.0.0.1
(port 0 on the first start, the same port on later starts so clients keep
their bootstrap address) and waits for the `kafka listener on HOST:PORT` line.
pgwire and HTTP (the schema registry) are off unless extra_args names
--pg-listen / --http-listen; with HTTP on, `registry_url` is its URL, and a
restart keeps its port too.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

LISTENER_RE = re.compile(r"kafka listener on (\S+):(\d+)")
HTTP_RE = re.compile(r"http listener on (\S+):(\d+)")


class Broker:
    def __init__(self, data_dir=None, extra_args=(), config=None):
        """config: optional {key: value} written to a Kafka-style properties
        file passed as `--config` (e.g. GROUP_TEST_CONFIG)."""
        self.bin = os.environ.get("SPATE_BIN", "build/spate")
        self._own_tmp = tempfile.mkdtemp(prefix="spate-systest-")
        if data_dir is None:
            data_dir = os.path.join(self._own_tmp, "data")
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        if config:
            path = os.path.join(self._own_tmp, "server.properties")
            with open(path, "w") as f:
                for k, v in config.items():
                    f.write("%s=%s\n" % (k, v))
            self.extra_args += ["--config", path]
        self.port = 0
        self.http_port = 0
        self.proc = None
        self.output = []  # every line the broker printed, across restarts

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    @property
    def registry_url(self):
        return "http://127.0.0.1:%d" % self.http_port

    def _args(self):
        """extra_args with an HTTP port 0 replaced by the one bound first."""
        args = list(self.extra_args)
        if "--http-listen" in args:
            i = args.index("--http-listen") + 1
            if self.http_port and i < len(args) and args[i].endswith(":0"):
                args[i] = args[i][:-2] + ":%d" % self.http_port
        return args

    def start(self, timeout=20.0):
        """Launches the broker; returns once its Kafka listener is up."""
        cmd = [self.bin, "serve", "--data-dir", self.data_dir,
               "--kafka-listen", "127.0.0.1:%d" % self.port] + self._args()
        # SQL (pgwire) and HTTP are off unless the test asks for them.
        if "--pg-listen" not in self.extra_args:
            cmd += ["--pg-listen", "off"]
        http_on = "--http-listen" in self.extra_args and \
            self.extra_args[self.extra_args.index("--http-listen") + 1] != "off"
        if "--http-listen" not in self.extra_args:
            cmd += ["--http-listen", "off"]
        deadline = time.monotonic() + timeout
        while True:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True)
            ready = threading.Event()
            found = {}

            def pump(proc=self.proc):
                for line in proc.stdout:
                    self.output.append(line.rstrip("\n"))
                    m = LISTENER_RE.search(line)
                    if m and "port" not in found:
                        found["port"] = int(m.group(2))
                    h = HTTP_RE.search(line)
                    if h and "http" not in found:
                        found["http"] = int(h.group(2))
                    # Listeners print in one block, HTTP's after Kafka's.
                    if "port" in found and (not http_on or "http" in found):
                        ready.set()
                ready.set()

            threading.Thread(target=pump, daemon=True).start()
            ready.wait(max(0.1, deadline - time.monotonic()))
            if "port" in found and (not http_on or "http" in found):
                self.port = found["port"]
                self.http_port = found.get("http", 0)
                return self
            # The port may still be held by the previous process: retry.
            rc = self.proc.poll()
            if rc is None:
                self.proc.kill()
                self.proc.wait()
            if time.monotonic() >= deadline:
                raise RuntimeError("spate serve did not report a kafka listener (rc=%s):\n%s"
                                   % (rc, "\n".join(self.output[-30:])))
            time.sleep(0.2)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30.0):
        """SIGTERM and wait; returns the exit code (asserts a clean exit)."""
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout)
        assert rc == 0, "spate serve exited %s on SIGTERM:\n%s" % (rc, "\n".join(self.output[-30:]))
        return rc

    def pid(self):
        return self.proc.pid if self.proc else None

    def listener_ports(self, count, timeout=10.0):
        """{listener name: port} of the named Kafka listeners, once `count`
        of them were announced (they follow `kafka listener on` in one block)."""
        deadline = time.monotonic() + timeout
        while True:
            ports = {}
            for line in list(self.output):
                m = re.search(r"kafka listener (\w+) \((\w+)\) on \S+:(\d+)", line)
                if m:
                    ports[m.group(1)] = int(m.group(3))
            if len(ports) >= count or time.monotonic() >= deadline:
                return ports
            time.sleep(0.05)

    def kill(self):
        """SIGKILL and wait."""
        if self.alive():
            self.proc.kill()
            self.proc.wait()

    def restart(self):
        self.stop()
        return self.start()

    def cleanup(self):
        self.kill()
        shutil.rmtree(self._own_tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if exc[0] is not None:
            sys.stderr.write("broker output (last 40 lines):\n%s\n" % "\n".join(self.output[-40:]))
        self.cleanup()
        return False


def spate_cli(broker, *args, input=None, check=True):
    """Runs `spate ARGS --bootstrap <broker>`; returns stdout."""
    cmd = [broker.bin] + list(args) + ["--bootstrap", broker.bootstrap]
    p = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr))
    return p.stdout


CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
RECORDS_PER_CODEC = int(os.environ.get("SPATE_TEST_RECORDS", "100000"))
BASE_TS = 1_700_000_000_000


def make_record(i):
    """Deterministic record i: (key bytes, value bytes, headers list, timestamp ms)."""
    key = b"key-%d" % i
    value = (b"value-%d-" % i) + b"x" * (i % 97)
    headers = [("seq", b"%d" % i)]
    if i % 3 == 0:
        headers.append(("kind", b"third"))
    return key, value, headers, BASE_TS + i


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


# Group tests: no initial rebalance delay, and session timeouts down to 1 s.
GROUP_TEST_CONFIG = {
    "group.initial.rebalance.delay.ms": "0",
    "group.min.session.timeout.ms": "1000",
}


def consume_all(bootstrap, topic, start, count, partition=0, check_crcs=True, idle_polls=100):
    """Records [start, start+count) of one partition, read with an assigned
    (group-less) librdkafka consumer, as (offset, key, value, headers, ts).
    Stops early after `idle_polls` empty 100 ms polls; raises on errors."""
    from confluent_kafka import Consumer, KafkaException, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False,
                  "auto.offset.reset": "error", "check.crcs": check_crcs})
    c.assign([TopicPartition(topic, partition, start)])
    out = []
    idle = 0
    try:
        while len(out) < count and idle < idle_polls:
            msgs = c.consume(10000, 0.1)
            if not msgs:
                idle += 1
                continue
            idle = 0
            for m in msgs:
                if m.error():
                    raise KafkaException(m.error())
                out.append((m.offset(), m.key(), m.value(), m.headers() or [], m.timestamp()[1]))
    finally:
        c.close()
    return out


def create_topic(bootstrap, topic, partitions, config=None):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(topic, partitions, 1, config=config or {})]).values():
        f.result(30)


def produce_values(bootstrap, topic, values, partitions):
    """Produces values[i] to partition i % partitions with acks=all; returns
    {partition: [value, ...]} in offset order (offsets start at the log end
    at call time, which the caller knows)."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                  "max.in.flight.requests.per.connection": 1})
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err)

    by_part = {}
    for i, v in enumerate(values):
        p.produce(topic, value=v, partition=i % partitions, on_delivery=on_delivery)
        by_part.setdefault(i % partitions, []).append(v)
        if i % 1000 == 0:
            p.poll(0)
    check(p.flush(60) == 0, "producer did not flush")
    check(not errors, "%d delivery errors, first %s" % (len(errors), errors[:1]))
    return by_part


def committed_offsets(bootstrap, group, topic, partitions):
    """{partition: committed offset} (-1001 = none) read with OffsetFetch."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        res = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=20)
    finally:
        c.close()
    return {t.partition: t.offset for t in res}


def watermarks(bootstrap, topic, partitions):
    """{partition: (low, high)} from ListOffsets."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
    try:
        return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10) for p in partitions}
    finally:
        c.close()


def in_temp_dir(prefix, fn):
    """Calls fn(directory) with a new temporary directory, removed afterwards."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        return fn(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def wait_until(cond, timeout, what, interval=0.05):
    """Polls cond() until it returns a truthy value; returns it, or raises
    AssertionError naming `what` (a string or a callable giving one) after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1fs waiting for %s"
                                 % (timeout, what() if callable(what) else what))
        time.sleep(interval)


def run_cases(cases, prefix, setup=None, config=None, extra_args=()):
    """Runs each function in `cases` (named prefix + case name) against one
    broker started with `config` and `extra_args`, after `setup(broker)`; every case runs even
    if an earlier one fails. SPATE_TEST_CASE=substring runs only matching
    cases. Prints PASS/FAIL per case with what it returned and exits 1 when
    any failed or the broker died."""
    import traceback
    only = os.environ.get("SPATE_TEST_CASE")
    failed = []
    with Broker(config=config, extra_args=extra_args) as b:
        if setup:
            setup(b)
        for case in cases:
            name = case.__name__[len(prefix):]
            if only and only not in name:
                continue
            start = time.monotonic()
            try:
                what = case(b)
                print("PASS %s (%.1fs): %s" % (name, time.monotonic() - start, what), flush=True)
            except Exception as e:  # noqa: BLE001 - report every case
                failed.append(name)
                print("FAIL %s (%.1fs): %s" % (name, time.monotonic() - start, e), flush=True)
                if not isinstance(e, AssertionError):
                    traceback.print_exc()
            check(b.alive(), "broker died during %s:\n%s" % (name, "\n".join(b.output[-30:])))
        b.stop()
    if failed:
        print("failed: %s" % ", ".join(failed))
        sys.exit(1)
    print("ok")


def read_to_end(bootstrap, topic, partitions, read_committed, timeout=90.0):
    """{partition: [(offset, value), ...]} of every record a consumer with
    isolation.level read_committed (or read_uncommitted) returns from the log
    start up to (not including) the end it sees (the last stable offset, or
    the high watermark) measured before reading; stops at the partition-EOF
    event at or past that end. Raises on errors and after `timeout` seconds."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False,
                  "enable.partition.eof": True, "fetch.wait.max.ms": 20,
                  "isolation.level": "read_committed" if read_committed else "read_uncommitted"})
    out = {p: [] for p in partitions}
    try:
        ends = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=20)[1] for p in partitions}
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        pending = {p for p in partitions if ends[p] > 0}
        deadline = time.monotonic() + timeout
        while pending:
            if time.monotonic() > deadline:
                raise AssertionError("read_to_end %s: partitions %s not read to %s after %.0fs (read %s)"
                                     % (topic, sorted(pending), ends, timeout,
                                        {p: len(v) for p, v in out.items()}))
            for m in c.consume(10000, 0.1):
                if m.error():
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        if m.offset() >= ends[m.partition()]:
                            pending.discard(m.partition())
                        continue
                    raise KafkaException(m.error())
                if m.offset() < ends[m.partition()]:
                    out[m.partition()].append((m.offset(), m.value()))
    finally:
        c.close()
    return out
