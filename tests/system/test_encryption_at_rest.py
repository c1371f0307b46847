"""Encryption at rest (spate.encryption=true, spate.encryption.key.file):
record values produced to an encrypted topic appear nowhere in the data
directory (a plaintext topic's do, which shows the search works) and read
back intact; kill -9 while a producer writes still recovers every
acknowledged record; a key added at a restart (rotation) encrypts new data
while old data stays readable; a start with a wrong or a missing key is
refused with a clear message and changes nothing in the data directory."""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, consume_all, create_topic
from confluent_kafka import Producer

KEY_1 = "k1:" + "3c" * 32
KEY_2 = "k2:" + "a7" * 32
KEY_1_WRONG = "k1:" + "5e" * 32


def produce(bootstrap, topic, values):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    errors = []
    for v in values:
        p.produce(topic, value=v, partition=0,
                  on_delivery=lambda err, msg: errors.append(err) if err else None)
    check(p.flush(30) == 0 and not errors, "produce failed: %s" % errors[:3])


def values_of(bootstrap, topic, count):
    return [r[2] for r in consume_all(bootstrap, topic, 0, count)]


def files_containing(root, needle):
    hits = []
    for d, _dirs, files in os.walk(root):
        for f in files:
            with open(os.path.join(d, f), "rb") as fh:
                if needle in fh.read():
                    hits.append(os.path.join(d, f))
    return hits


def snapshot(root):
    out = {}
    for d, _dirs, files in os.walk(root):
        for f in files:
            with open(os.path.join(d, f), "rb") as fh:
                out[os.path.join(d, f)] = fh.read()
    return out


def refused_start(b, expect):
    """Starts `spate serve` on b's data directory; it must exit non-zero
    saying `expect` and leave the directory unchanged."""
    before = snapshot(b.data_dir)
    cmd = [b.bin, "serve", "--data-dir", b.data_dir, "--kafka-listen", "127.0.0.1:0",
           "--pg-listen", "off", "--http-listen", "off"] + b.extra_args
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    out = r.stdout + r.stderr
    check(r.returncode != 0, "start with a bad key did not fail:\n" + out[-2000:])
    check(expect in out, "start failed without saying %r:\n%s" % (expect, out[-2000:]))
    check(snapshot(b.data_dir) == before, "a refused start changed the data directory")


def kill_during_produce(b, topic):
    """kill -9 while an acks=all producer writes; every acknowledged record
    is read back after the restart."""
    acked = []
    lock = threading.Lock()
    stop = threading.Event()

    def run():
        p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all", "linger.ms": 2,
                      "message.timeout.ms": 3000, "reconnect.backoff.ms": 50})

        def on_delivery(err, msg):
            if err is None:
                with lock:
                    acked.append((msg.offset(), msg.value()))
        seq = 0
        while not stop.is_set():
            try:
                p.produce(topic, value=b"CRASH-PAYLOAD-%08d" % seq, partition=0,
                          on_delivery=on_delivery)
                seq += 1
            except BufferError:
                pass
            p.poll(0.001)
        p.flush(5)

    t = threading.Thread(target=run)
    t.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with lock:
            if len(acked) >= 3000:
                break
        time.sleep(0.01)
    b.kill()
    with lock:
        before_kill = list(acked)
    stop.set()
    t.join()
    check(len(before_kill) >= 3000, "only %d records acknowledged" % len(before_kill))
    b.start()
    end = max(o for o, _ in before_kill) + 1
    log = {r[0]: r[2] for r in consume_all(b.bootstrap, topic, 0, end)}
    for off, v in before_kill:
        check(log.get(off) == v, "acknowledged offset %d lost after kill -9" % off)
    return len(before_kill)


def offline_user(b, keyfile, keydir):
    """`spate user create --data-dir` on a stopped encrypted directory opens
    it with the server's keys (--config) and stores the credential in the
    encrypted __spate_credentials: the user name is nowhere on disk."""
    props = os.path.join(keydir, "server.properties")
    with open(props, "w") as f:
        f.write("spate.encryption.key.file=%s\n" % keyfile)
    base = [b.bin, "user"]
    where = ["--data-dir", b.data_dir, "--config", props]
    r = subprocess.run(base + ["create", "enc-admin-user", "--password", "s3cret"] + where,
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "offline user create failed:\n" + r.stdout + r.stderr)
    r = subprocess.run(base + ["list"] + where, capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and "enc-admin-user" in r.stdout, "user list: " + r.stdout + r.stderr)
    check(not files_containing(b.data_dir, b"enc-admin-user"), "credential found on disk")


def main():
    keydir = tempfile.mkdtemp(prefix="spate-keys-")
    keyfile = os.path.join(keydir, "keys")
    b = Broker(config={"spate.encryption.key.file": keyfile})
    with open(keyfile, "w") as f:
        f.write(KEY_1 + "\n")
    try:
        b.start()
        create_topic(b.bootstrap, "secret", 1, {"spate.encryption": "true"})
        create_topic(b.bootstrap, "plain", 1)
        secret = [b"ENC-PAYLOAD-%06d-" % i + b"x" * 200 for i in range(2000)]
        produce(b.bootstrap, "secret", secret)
        produce(b.bootstrap, "plain", [b"PLAIN-PAYLOAD-%06d" % i for i in range(100)])
        check(values_of(b.bootstrap, "secret", len(secret)) == secret, "secret read back differs")
        check(files_containing(b.data_dir, b"PLAIN-PAYLOAD-000042"), "grep finds no plain payload")
        check(not files_containing(b.data_dir, b"ENC-PAYLOAD"), "encrypted payload found on disk")

        acked = kill_during_produce(b, "secret")
        check(not files_containing(b.data_dir, b"CRASH-PAYLOAD"), "crash payload found on disk")

        # Rotation: a second key at a restart encrypts new data.
        with open(keyfile, "a") as f:
            f.write(KEY_2 + "\n")
        b.restart()
        check(any("active key 'k2'" in line for line in b.output), "k2 did not become active")
        produce(b.bootstrap, "secret", [b"NEW-PAYLOAD-%04d" % i for i in range(100)])
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "x"})
        _lo, hi = c.get_watermark_offsets(TopicPartition("secret", 0), timeout=10)
        c.close()
        allv = values_of(b.bootstrap, "secret", hi)
        check(len(allv) == hi, "read %d of %d after rotation" % (len(allv), hi))
        check(allv[:2000] == secret, "old records unreadable after rotation")
        check(allv[-1] == b"NEW-PAYLOAD-0099", "new records unreadable after rotation")
        check(not files_containing(b.data_dir, b"NEW-PAYLOAD"), "new payload found on disk")
        b.stop()

        # A wrong key for k1, then k1 missing: refused, nothing changed.
        with open(keyfile, "w") as f:
            f.write(KEY_1_WRONG + "\n" + KEY_2 + "\n")
        refused_start(b, "wrong encryption key")
        with open(keyfile, "w") as f:
            f.write(KEY_2 + "\n")
        refused_start(b, "encryption key 'k1'")
        os.unlink(keyfile)
        refused_start(b, "spate.encryption.key.file")
        with open(keyfile, "w") as f:
            f.write(KEY_1 + "\n" + KEY_2 + "\n")
        offline_user(b, keyfile, keydir)
        b.start()
        check(values_of(b.bootstrap, "secret", 10)[:10] == secret[:10], "restart with keys fails")
        b.stop()
        print("ok: 2000 encrypted records, %d acknowledged across kill -9, rotation, "
              "wrong/missing key refused" % acked)
    finally:
        b.cleanup()
        shutil.rmtree(keydir, ignore_errors=True)


if __name__ == "__main__":
    main()
