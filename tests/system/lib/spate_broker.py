"""Starts and stops `$SPATE_BIN serve` for the Python system tests.

A Broker owns a data directory; start() launches `spate serve` on 127.0.0.1
(port 0 on the first start, the same port on later starts so clients keep
their bootstrap address) and waits for the `kafka listener on HOST:PORT` line.
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


class Broker:
    def __init__(self, data_dir=None, extra_args=()):
        self.bin = os.environ.get("SPATE_BIN", "build/spate")
        self._own_tmp = None
        if data_dir is None:
            self._own_tmp = tempfile.mkdtemp(prefix="spate-systest-")
            data_dir = os.path.join(self._own_tmp, "data")
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.port = 0
        self.proc = None
        self.output = []  # every line the broker printed, across restarts

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    def start(self, timeout=20.0):
        """Launches the broker; returns once its Kafka listener is up."""
        cmd = [self.bin, "serve", "--data-dir", self.data_dir,
               "--kafka-listen", "127.0.0.1:%d" % self.port] + self.extra_args
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
                    if m and not ready.is_set():
                        found["port"] = int(m.group(2))
                        ready.set()
                ready.set()

            threading.Thread(target=pump, daemon=True).start()
            ready.wait(max(0.1, deadline - time.monotonic()))
            if "port" in found:
                self.port = found["port"]
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
        if self._own_tmp:
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
