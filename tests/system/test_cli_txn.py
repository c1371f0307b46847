"""`spate txn list|describe` against `spate serve`.

Three confluent-kafka transactional producers: one leaves a transaction open
(records produced to two partitions, no commit), one commits, one aborts.
The CLI must list them with their producer ids and states (Ongoing,
CompleteCommit, CompleteAbort), filter by state and by producer id, describe
the open one (state, producer id/epoch, timeout, start time, partitions) and
the completed ones, report an unknown transactional id as an error (exit 1)
while still describing the known ids given with it, and exit 2 on usage
errors. Finally the open transaction is aborted and shows as CompleteAbort."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, create_topic, wait_until
from confluent_kafka import Producer

TOPIC = "txn-orders"
OPEN = "cli-tx-open"
DONE = "cli-tx-done"
ABORTED = "cli-tx-aborted"
TIMEOUT_MS = 45000


def cli(broker, *args, want_rc=0, bootstrap=None):
    """Runs `spate ARGS --bootstrap B`; checks the exit code; returns (stdout, stderr)."""
    cmd = [os.environ.get("SPATE_BIN", broker.bin)] + list(args) + [
        "--bootstrap", bootstrap or broker.bootstrap]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    check(p.returncode == want_rc, "%s exited %d, want %d\nstdout:\n%s\nstderr:\n%s"
          % (" ".join(args), p.returncode, want_rc, p.stdout, p.stderr))
    return p.stdout, p.stderr


def table(out, header):
    """Rows (lists of cells) of the table that starts with `header` in `out`,
    up to the next blank line."""
    lines = out.splitlines()
    start = next((i for i, l in enumerate(lines) if l.split() == header), None)
    check(start is not None, "no table %s in:\n%s" % (header, out))
    rows = []
    for l in lines[start + 1:]:
        if not l.strip():
            break
        rows.append(l.split())
    return rows


def listed(broker, *args):
    """{transactional id: (producer id, state)} from `txn list ARGS`."""
    out, _ = cli(broker, "txn", "list", *args)
    rows = table(out, ["TRANSACTIONAL-ID", "PRODUCER-ID", "STATE"])
    for r in rows:
        check(len(r) == 3, "bad list row %s in:\n%s" % (r, out))
    return {r[0]: (int(r[1]), r[2]) for r in rows}


def parse_describe(out):
    """[{field: value, ..., "partitions": [(topic, p)]}] per described id."""
    blocks = []
    cur = None
    lines = out.splitlines()
    i = 0
    while i < len(lines):
        l = lines[i]
        if l.startswith("Transactional id: "):
            cur = {"partitions": []}
            blocks.append(cur)
        if cur is not None and ": " in l and not l.startswith("TOPIC"):
            k, v = l.split(": ", 1)
            cur[k] = v
        if cur is not None and l.split() == ["TOPIC", "PARTITION"]:
            i += 1
            while i < len(lines) and lines[i].strip():
                t, p = lines[i].split()
                cur["partitions"].append((t, int(p)))
                i += 1
            continue
        i += 1
    return blocks


def describe(broker, *ids, want_rc=0):
    out, err = cli(broker, "txn", "describe", *ids, want_rc=want_rc)
    return {b["Transactional id"]: b for b in parse_describe(out)}, out, err


def producer(broker, txn_id):
    p = Producer({"bootstrap.servers": broker.bootstrap, "transactional.id": txn_id,
                  "transaction.timeout.ms": TIMEOUT_MS, "acks": "all", "linger.ms": 5})
    p.init_transactions(30)
    return p


def produce(p, partitions, n=5):
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(err)

    for part in partitions:
        for i in range(n):
            p.produce(TOPIC, value=b"v%d-%d" % (part, i), partition=part, on_delivery=on_delivery)
    check(p.flush(30) == 0, "producer did not flush")
    check(not errors, "delivery errors: %s" % errors[:3])


def run(b):
    check_usage_and_unreachable(b)
    check(listed(b) == {}, "transactions before any producer: %s" % listed(b))
    create_topic(b.bootstrap, TOPIC, 2)
    producers = start_transactions(b)  # kept open until the end of the run
    open_p = producers[OPEN]
    txns, pids = wait_for_states(b)
    check_list_filters(b, txns, pids)
    check_describe(b, pids)
    check_open_aborted(b, open_p, pids)
    return pids


def check_usage_and_unreachable(b):
    """Usage errors exit 2 without contacting the broker."""
    for args in (["txn"], ["txn", "frob"], ["txn", "describe"], ["txn", "list", "x"],
                 ["txn", "list", "--state", "committed"], ["txn", "list", "--producer-id", "-2"],
                 ["txn", "describe", ""]):
        cli(b, *args, want_rc=2)
    # An unreachable bootstrap fails fast.
    start = time.monotonic()
    _, err = cli(b, "txn", "list", want_rc=1, bootstrap="127.0.0.1:1")
    check("cannot reach" in err and time.monotonic() - start < 5, "unreachable: " + err)


def start_transactions(b):
    """DONE commits records on partition 0, ABORTED aborts records on 1, OPEN
    leaves records on both open; returns {transactional id: producer}."""
    done = producer(b, DONE)
    done.begin_transaction()
    produce(done, [0])
    done.commit_transaction(30)

    aborted = producer(b, ABORTED)
    aborted.begin_transaction()
    produce(aborted, [1])
    aborted.abort_transaction(30)

    open_p = producer(b, OPEN)
    open_p.begin_transaction()
    produce(open_p, [0, 1])
    return {DONE: done, ABORTED: aborted, OPEN: open_p}


def wait_for_states(b):
    """Markers are written after EndTxn is answered: wait for Complete*.
    Returns the listing and {transactional id: producer id}."""
    want_states = {OPEN: "Ongoing", DONE: "CompleteCommit", ABORTED: "CompleteAbort"}
    txns = wait_until(lambda: (lambda l: l if {k: v[1] for k, v in l.items()} == want_states
                               else None)(listed(b)), 15,
                      lambda: "states %s, listed %s" % (want_states, listed(b)))
    pids = {k: v[0] for k, v in txns.items()}
    check(all(p >= 0 for p in pids.values()) and len(set(pids.values())) == 3,
          "producer ids: %s" % pids)
    return txns, pids


def check_list_filters(b, txns, pids):
    """`txn list` filters by state and by producer id."""
    check(listed(b, "--state", "ongoing") == {OPEN: txns[OPEN]}, "--state ongoing")
    check(listed(b, "--state", "CompleteCommit", "--state", "completeabort")
          == {DONE: txns[DONE], ABORTED: txns[ABORTED]}, "--state Complete*")
    check(listed(b, "--producer-id", str(pids[DONE])) == {DONE: txns[DONE]}, "--producer-id")
    check(listed(b, "--state", "ongoing", "--producer-id", str(pids[DONE])) == {},
          "--state and --producer-id select the intersection")
    check(listed(b, "--state", "PrepareCommit") == {}, "--state PrepareCommit")


def check_describe(b, pids):
    """Describe the open transaction, the completed ones and unknown ids."""
    # The open transaction.
    d, out, _ = describe(b, OPEN)
    o = d.get(OPEN)
    check(o is not None, "describe output:\n" + out)
    check(o["State"] == "Ongoing" and int(o["Producer id"]) == pids[OPEN]
          and int(o["Producer epoch"]) >= 0 and o["Timeout"] == "%d ms" % TIMEOUT_MS,
          "describe open summary:\n" + out)
    check(o["Start time"] != "-" and o["Start time"].endswith(" ago)")
          and o["Coordinator"].startswith("127.0.0.1:"), "describe open start/coordinator:\n" + out)
    check(o["Partitions"] == "2" and o["partitions"] == [(TOPIC, 0), (TOPIC, 1)],
          "describe open partitions:\n" + out)

    # Completed transactions, described together, in argument order.
    d, out, _ = describe(b, DONE, ABORTED)
    check(list(d) == [DONE, ABORTED], "describe order:\n" + out)
    check(d[DONE]["State"] == "CompleteCommit" and int(d[DONE]["Producer id"]) == pids[DONE]
          and d[DONE]["partitions"] == [], "describe committed:\n" + out)
    check(d[ABORTED]["State"] == "CompleteAbort" and int(d[ABORTED]["Producer id"]) == pids[ABORTED],
          "describe aborted:\n" + out)

    # Unknown ids: exit 1 naming them; known ids given with them are still described.
    d, out, err = describe(b, "no-such-txn", want_rc=1)
    check(d == {} and "'no-such-txn' does not exist" in err and "TRANSACTIONAL_ID_NOT_FOUND" in err,
          "describe unknown:\nstdout:\n%s\nstderr:\n%s" % (out, err))
    d, out, err = describe(b, OPEN, "no-such-txn", want_rc=1)
    check(list(d) == [OPEN] and "no-such-txn" in err and OPEN not in err,
          "describe known + unknown:\nstdout:\n%s\nstderr:\n%s" % (out, err))


def check_open_aborted(b, open_p, pids):
    """The open transaction, aborted, completes as CompleteAbort with no partitions."""
    open_p.abort_transaction(30)
    wait_until(lambda: listed(b).get(OPEN) == (pids[OPEN], "CompleteAbort"), 15,
               lambda: "open transaction aborted: %s" % listed(b))
    d, out, _ = describe(b, OPEN)
    check(d[OPEN]["State"] == "CompleteAbort" and d[OPEN]["partitions"] == [],
          "describe after abort:\n" + out)


def main():
    with Broker() as b:
        pids = run(b)
        b.stop()
    print("ok (producer ids %s)" % pids)


if __name__ == "__main__":
    main()
