"""Two SQL servers share stateful queries: server A runs the broker and
SQL; server B is SQL only (`spate serve --bootstrap A`, its own data
directory and node id). q17 (upsert) and q15_window (EMIT ON WINDOW CLOSE)
over `bid_days` (3 partitions) are created on A; B loads them from the
catalog, so each query's consumer group has a member on each server and
the partitions (tasks) are split between them. Once both servers hold
members, the first phase of bids is produced, B is killed with SIGKILL
after the sinks grew, and the rest follows (with a flush bid per
partition). A takes over B's tasks (state restored from the changelog) and
finishes: the read_committed sinks equal the batch result (q17 compacted
by key, q15_window as a multiset of closed windows, each once)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, os.path.join(here, "..", "support"))
import nexmark  # noqa: E402
import nexmark_windows  # noqa: E402
import sql_windows as sw  # noqa: E402
from confluent_kafka import KafkaException  # noqa: E402
from spate_broker import GROUP_TEST_CONFIG, create_topic, wait_until  # noqa: E402
from spate_sql import SqlServer  # noqa: E402

PHASE = int(os.environ.get("SPATE_SQL_WINDOWS_SCALE_PHASE", "10000"))
PHASES = 3  # B is killed during the first
SEED = 14
PARTITIONS = 3
DAYS = nexmark.stream_options(ms_per_event=15_000)
QUERIES = ["q17", "q15_window"]
# B's open transaction (and its group membership) outlive it until the
# broker times them out; the survivor's output waits for that.
DEADLINE_S = 120.0
PGWIRE_RE = re.compile(r"pgwire listener on (\S+):(\d+)")


class sql_only_server:
    """`spate serve --bootstrap <a>` with its own data directory; output lines
    kept in `output`."""

    def __init__(self, bootstrap, node_id):
        self.dir = tempfile.mkdtemp(prefix="spate-systest-b-")
        cmd = [os.environ.get("SPATE_BIN", "build/spate"), "serve", "--bootstrap", bootstrap,
               "--data-dir", os.path.join(self.dir, "data"), "--pg-listen", "127.0.0.1:0",
               "--http-listen", "off", "--node-id", str(node_id)]
        self.output = []
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.output.append(line.rstrip("\n"))

    def wait_ready(self, timeout=30.0):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("server B exited %s:\n%s" % (self.proc.returncode,
                                                                  "\n".join(self.output[-30:])))
            return any(PGWIRE_RE.search(x) for x in self.output)
        wait_until(ready, timeout, "server B's pgwire listener line")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def both_members(bootstrap, running):
    """Waits until each running query's group is Stable with two members,
    each assigned partitions."""
    def groups():
        return {q: g and sw.group_members(bootstrap, g)
                for q, g in ((q, sw.query_group(bootstrap, q)) for q in running)}

    def two():
        try:
            return all(m and m[0] == "Stable" and len(m[1]) == 2 and min(m[1]) > 0
                       for m in groups().values())
        except KafkaException as e:  # a group rebalancing: not yet
            print("  (list groups: %s)" % e, flush=True)
            return False
    wait_until(two, 60.0, lambda: "both servers to hold partitions in the groups of %s "
               "(state, partitions per member): %s" % (running, groups()), interval=0.2)


def sink_end(bootstrap, running):
    """Records (committed or not) in the sinks; -1 after a Kafka error."""
    try:
        return _sink_end(bootstrap, running)
    except KafkaException as e:
        print("  (sink end: %s)" % e, flush=True)
        return -1


def _sink_end(bootstrap, running):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused",
                  "enable.auto.commit": False})
    try:
        topics = c.list_topics(timeout=10).topics
        total = 0
        for q in running:
            md = topics.get(q + "_out")
            if md is not None and md.error is None:
                total += sum(c.get_watermark_offsets(TopicPartition(q + "_out", p),
                                                     timeout=10)[1] for p in md.partitions)
        return total
    finally:
        c.close()


def run(srv, b, running, bids):
    """Phase 0 with both servers; kills B once the sinks grew; the rest
    with A alone; then the flush bids. Returns (all bids, watermark)."""
    both_members(srv.bootstrap, running)
    print("both servers are members of %s" % running, flush=True)
    # (-1: a Kafka error; the sizes before the phase are needed)
    before = wait_until(lambda: 1 + sink_end(srv.bootstrap, running), 30.0, "the sink sizes") - 1
    sw.produce_bids(srv.bootstrap, "bid_days", bids[:PHASE], PARTITIONS)
    wait_until(lambda: sink_end(srv.bootstrap, running) > before, DEADLINE_S,
               "the sinks to grow while both servers run")
    b.kill()
    t0 = time.monotonic()
    print("killed server B", flush=True)
    sw.produce_bids(srv.bootstrap, "bid_days", bids[PHASE:], PARTITIONS, first=PHASE)
    flush, watermark = sw.produce_flush(srv.bootstrap, "bid_days", bids, PARTITIONS, days=True)
    sw.wait_consumed(srv.bootstrap, running, "bid_days", DEADLINE_S)
    print("A consumed everything %.1fs after the kill" % (time.monotonic() - t0), flush=True)
    return bids + flush, watermark


def check_output(bootstrap, query, bids, watermark):
    want = nexmark_windows.reference_rows(query, bids, watermark)
    if nexmark.SINK_KIND[query][0] == "upsert":
        return sw.check_upsert(bootstrap, query, query + "_out", want, DEADLINE_S)
    return sw.check_append(bootstrap, query, query + "_out", want, DEADLINE_S)


def main():
    results = sw.checks()
    bids = list(nexmark.bids(SEED, PHASE * PHASES, 0, DAYS))
    b = None
    with SqlServer(config=GROUP_TEST_CONFIG) as srv:
        try:
            create_topic(srv.bootstrap, "bid_days", PARTITIONS)
            conn = srv.connect()
            cur = conn.cursor()
            cur.execute(nexmark.source_sql("bid_days", "bid_days"))
            created = {q: sw.execute(cur, nexmark.sink_sql(q, "bid_days")) for q in QUERIES}
            conn.close()
            for q, err in created.items():
                if err:
                    results.run(q, lambda err=err: "CREATE SINK failed: %s" % err)
            running = [q for q in QUERIES if not created[q]]
            b = sql_only_server(srv.bootstrap, node_id=2)
            b.wait_ready()
            state = {}

            def two_servers():
                state["bids"], state["wm"] = run(srv, b, running, bids)
            if running and results.run("two servers, B killed mid-run", two_servers):
                for q in running:
                    results.run(q, check_output, srv.bootstrap, q, state["bids"], state["wm"])
            if not srv.alive():
                print("server A died:\n%s" % "\n".join(srv.output[-30:]))
                results.failed.append("server A alive")
            else:
                srv.stop()
        finally:
            if b is not None:
                if results.failed:
                    sys.stderr.write("server B output (last 30 lines):\n%s\n"
                                     % "\n".join(b.output[-30:]))
                b.cleanup()
    results.finish()


if __name__ == "__main__":
    main()
