"""Exactly-once consume-transform-produce under crashes.

lib/txn_copy_app.py (a separate process: confluent-kafka, transactional.id
fixed, read_committed, offsets sent to each transaction, a commit every 1000
records or ~100 ms, paced to 10,000 records/s) copies 100,000 records from a
4-partition input topic to the same partitions of a 4-partition output
topic, values prefixed by b"copy:". During the copy the app is SIGKILLed 4 times (each new instance's
init_transactions fences the old one and aborts its open transaction) and the
broker 3 times (restarted on the same data directory and port), at random
moments; the app is restarted whenever it exits without finishing.

Then a read_committed consumer of the output sees every input record exactly
once, in input order per partition, and nothing else; a read_uncommitted
consumer sees at least as many records with the committed ones in order among
them; the group's committed offsets are the input's ends; no partition of
the output has an open transaction (DescribeProducers); the transactional id
is CompleteCommit (DescribeTransactions) and listed by ListTransactions.
SPATE_TEST_SEED fixes the kill schedule; TXN_COPY_RECORDS the record count.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
from spate_broker import (GROUP_TEST_CONFIG, Broker, check, committed_offsets, create_topic,
                          produce_values, read_to_end, wait_until)
from kafka_schema import SchemaConn

IN_TOPIC = "copy-in"
OUT_TOPIC = "copy-out"
GROUP = "copy-app"
TXN_ID = "copy-app-txn"
PARTITIONS = 4
RECORDS = int(os.environ.get("TXN_COPY_RECORDS", "100000"))
APP_KILLS = 4
BROKER_KILLS = 3
MAX_APP_STARTS = 40
TIME_LIMIT = 240.0
# Unpaced the app copies 100,000 records in about a second; paced, the copy
# spans about ten seconds, so every kill lands during it, and a transaction
# (BATCH records) stays open with its records in the log for most of its
# 100 ms, so most app kills leave records for the next instance to abort.
MAX_RATE = 10000
BATCH = 1000


class App:
    """One instance of lib/txn_copy_app.py; stdout goes to a log file and a
    pump thread that tracks the last "committed N"."""

    def __init__(self, bootstrap, ends, logdir, n):
        self.path = os.path.join(logdir, "app-%d.log" % n)
        self.lines = []
        self.progress = None
        self.commits = 0
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "lib", "txn_copy_app.py"), bootstrap, IN_TOPIC,
             OUT_TOPIC, GROUP, TXN_ID, ",".join(str(e) for e in ends)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, TXN_COPY_MAX_RATE=str(MAX_RATE), TXN_COPY_BATCH=str(BATCH)))
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        with open(self.path, "w") as f:
            for line in self.proc.stdout:
                f.write(line)
                f.flush()
                line = line.rstrip("\n")
                self.lines.append(line)
                if line.startswith("committed ") or line.startswith("known "):
                    self.progress = int(line.split()[1])
                    self.commits += line.startswith("committed ")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def raw(port, api, version, values):
    conn = SchemaConn(port, client_id="txn-copy-check")
    try:
        return conn.call(api, version, values)
    finally:
        conn.close()


def fill_input(b):
    """Creates both topics and produces RECORDS values to the input; returns
    them by partition and the input's ends."""
    create_topic(b.bootstrap, IN_TOPIC, PARTITIONS)
    create_topic(b.bootstrap, OUT_TOPIC, PARTITIONS)
    values = [b"in-%d" % i for i in range(RECORDS)]
    by_part = produce_values(b.bootstrap, IN_TOPIC, values, PARTITIONS)
    ends = [len(by_part[p]) for p in range(PARTITIONS)]
    return by_part, ends


def kill_schedule(rng):
    """The kill schedule: [(progress fraction, "app" or "broker")] at which to
    kill the app or the broker (then a further random delay so kills land at
    any phase of a transaction); the app commits at least once between events."""
    events = ["app"] * APP_KILLS + ["broker"] * BROKER_KILLS
    rng.shuffle(events)
    marks = sorted(rng.uniform(0.05, 0.8) for _ in events)
    schedule = list(zip(marks, events))
    print("schedule: %s" % ", ".join("%s@%.2f" % (e, m) for m, e in schedule), flush=True)
    return schedule


class CopyUnderKills:
    """Runs the app until it finishes, killing it or the broker as the
    schedule says and restarting the app whenever it exits without finishing."""

    def __init__(self, b, ends, logdir, schedule, rng):
        self.b, self.ends, self.logdir, self.schedule, self.rng = b, ends, logdir, schedule, rng
        self.apps = [App(b.bootstrap, ends, logdir, 0)]
        self.progress = 0
        self.app_kills = self.broker_kills = self.self_exits = 0
        self.commits_at_event = 0

    def start_app(self):
        self.apps.append(App(self.b.bootstrap, self.ends, self.logdir, len(self.apps)))

    def update_progress(self, app):
        if app.progress is not None:
            self.progress = max(self.progress, app.progress)

    def app_exited(self, app, rc):
        """True when the app finished; otherwise starts the next instance."""
        app.proc.wait()
        time.sleep(0.1)  # let the pump read the last lines
        if rc == 0:
            check(any(l == "done" for l in app.lines), "app exited 0 without done")
            return True
        self.self_exits += 1
        print("app %d exited %d by itself: %s" % (len(self.apps) - 1, rc, app.lines[-3:]),
              flush=True)
        check(len(self.apps) < MAX_APP_STARTS, "the app was started %d times" % len(self.apps))
        self.start_app()
        return False

    def event_due(self):
        """Each event after at least one commit since the previous one."""
        commits = sum(a.commits for a in self.apps)
        if self.schedule and self.progress >= self.schedule[0][0] * RECORDS and commits > self.commits_at_event:
            self.commits_at_event = commits
            return True
        return False

    def fire_event(self, app):
        _, what = self.schedule.pop(0)
        time.sleep(self.rng.uniform(0, 0.1))
        self.update_progress(app)
        # The copy runs at tens of thousands of records a second:
        # make sure each kill lands before the end.
        check(self.progress < RECORDS, "a %s kill came too late (progress %d)" % (what, self.progress))
        if what == "app":
            app.kill()
            self.app_kills += 1
            print("killed app %d at progress %d" % (len(self.apps) - 1, self.progress), flush=True)
            self.start_app()
        else:
            self.b.kill()
            self.broker_kills += 1
            print("killed the broker at progress %d" % self.progress, flush=True)
            time.sleep(self.rng.uniform(0.1, 0.8))
            self.b.start()

    def run(self):
        """Returns the seconds the copy took."""
        start = time.monotonic()
        finished = False
        try:
            while True:
                app = self.apps[-1]
                self.update_progress(app)
                rc = app.proc.poll()
                if rc is not None:
                    if self.app_exited(app, rc):
                        finished = True
                        break
                    continue
                check(time.monotonic() - start < TIME_LIMIT,
                      "copy not finished after %.0fs (progress %d of %d)" % (TIME_LIMIT, self.progress, RECORDS))
                if self.event_due():
                    self.fire_event(app)
                    continue
                time.sleep(0.02)
        finally:
            if not finished:
                for a in self.apps:
                    a.kill()
                sys.stderr.write("app log of the last instance (%s):\n%s\n"
                                 % (self.apps[-1].path, "\n".join(self.apps[-1].lines[-30:])))
        return time.monotonic() - start


def check_read_committed(b, by_part):
    """1. read_committed: every input record exactly once, in order. Returns
    the output read so."""
    committed = read_to_end(b.bootstrap, OUT_TOPIC, range(PARTITIONS), read_committed=True)
    for p in range(PARTITIONS):
        got = [v for _, v in committed[p]]
        expected = [b"copy:" + v for v in by_part[p]]
        if got != expected:
            seen = set(got)
            dupes = len(got) - len(seen)
            missing = sum(1 for v in expected if v not in seen)
            first = next((k for k, (x, y) in enumerate(zip(got, expected)) if x != y),
                         min(len(got), len(expected)))
            raise AssertionError(
                "partition %d read_committed: %d records, expected %d; %d duplicated, %d missing, "
                "first difference at index %d (got %r, expected %r)"
                % (p, len(got), len(expected), dupes, missing, first,
                   got[first] if first < len(got) else None,
                   expected[first] if first < len(expected) else None))
    return committed


def check_read_uncommitted(b, committed):
    """2. read_uncommitted: everything, aborted records included; the
    committed records are an ordered subsequence of it. Returns the count of
    aborted records."""
    uncommitted = read_to_end(b.bootstrap, OUT_TOPIC, range(PARTITIONS), read_committed=False)
    aborted = 0
    for p in range(PARTITIONS):
        allv = [v for _, v in uncommitted[p]]
        check(len(allv) >= len(committed[p]),
              "partition %d: read_uncommitted %d records < read_committed %d"
              % (p, len(allv), len(committed[p])))
        offsets = {o for o, _ in uncommitted[p]}
        check(all(o in offsets for o, _ in committed[p]),
              "partition %d: read_committed returned offsets read_uncommitted did not" % p)
        by_off = dict(uncommitted[p])
        check(all(by_off[o] == v for o, v in committed[p]),
              "partition %d: records differ between isolation levels" % p)
        check(all(v.startswith(b"copy:in-") for v in allv), "partition %d: foreign records" % p)
        aborted += len(allv) - len(committed[p])
    return aborted


def check_no_open_transactions(b):
    """4. No open transaction is left on the output or the offsets topic."""
    r = raw(b.port, "DescribeProducers", 0, {"Topics": [
        {"Name": OUT_TOPIC, "PartitionIndexes": list(range(PARTITIONS))}]})
    for pr in r["Topics"][0]["Partitions"]:
        check(pr["ErrorCode"] == 0, "DescribeProducers error %d" % pr["ErrorCode"])
        open_txns = [a for a in pr["ActiveProducers"] if a["CurrentTxnStartOffset"] != -1]
        check(not open_txns, "partition %d: open transactions %s" % (pr["PartitionIndex"], open_txns))


def check_transactional_id(b, last_app):
    """5. The transactional id's state."""
    # (The COMMIT markers are written before CompleteCommit is.)
    st = wait_until(lambda: (lambda s: s if s["TransactionState"] != "PrepareCommit" else None)(
        raw(b.port, "DescribeTransactions", 0, {"TransactionalIds": [TXN_ID]})["TransactionStates"][0]),
        10, "PrepareCommit to complete")
    # Empty only when the last instance found nothing left to copy.
    last_committed = any(l.startswith("committed ") for l in last_app.lines)
    check(st["ErrorCode"] == 0 and st["TransactionState"] in
          (("CompleteCommit",) if last_committed else ("CompleteCommit", "Empty")),
          "DescribeTransactions %s (the last instance committed: %s)" % (st, last_committed))
    check(st["ProducerId"] >= 0 and st["Topics"] == [], "DescribeTransactions %s" % st)
    r = raw(b.port, "ListTransactions", 0, {"StateFilters": [], "ProducerIdFilters": []})
    check(r["ErrorCode"] == 0, "ListTransactions error %d" % r["ErrorCode"])
    listed = [t for t in r["TransactionStates"] if t["TransactionalId"] == TXN_ID]
    check(len(listed) == 1 and listed[0]["ProducerId"] == st["ProducerId"],
          "ListTransactions %s, DescribeTransactions producer id %d" % (listed, st["ProducerId"]))


def main():
    seed = int(os.environ.get("SPATE_TEST_SEED", str(int(time.time()) % 100000)))
    rng = random.Random(seed)
    logdir = tempfile.mkdtemp(prefix="spate-txn-copy-")
    print("seed %d; app logs in %s" % (seed, logdir), flush=True)
    with Broker(config=GROUP_TEST_CONFIG) as b:
        by_part, ends = fill_input(b)
        schedule = kill_schedule(rng)
        run = CopyUnderKills(b, ends, logdir, schedule, rng)
        elapsed = run.run()
        check(not schedule, "copy finished before the kills %s" % schedule)
        check(run.app_kills == APP_KILLS and run.broker_kills == BROKER_KILLS,
              "kills: app %d, broker %d" % (run.app_kills, run.broker_kills))

        committed = check_read_committed(b, by_part)
        aborted = check_read_uncommitted(b, committed)
        # 3. The group's offsets are the input's ends.
        offs = committed_offsets(b.bootstrap, GROUP, IN_TOPIC, PARTITIONS)
        check(offs == dict(enumerate(ends)), "group offsets %s, input ends %s" % (offs, ends))
        check_no_open_transactions(b)
        check_transactional_id(b, run.apps[-1])

        b.stop()
        shutil.rmtree(logdir, ignore_errors=True)  # kept when the test fails
        print("txn copy: %d records exactly once in %.1fs across %d app kills, %d broker kills, "
              "%d app self-exits (%d instances); %d aborted records in the output log"
              % (RECORDS, elapsed, run.app_kills, run.broker_kills, run.self_exits, len(run.apps), aborted))


if __name__ == "__main__":
    main()
