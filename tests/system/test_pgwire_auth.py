"""One identity model on the SQL side: pgwire logins against the Kafka users
(`spate user create`), SQL statements checked against the Kafka ACLs
(`spate acl create`), the SQL engine's own clients over SASL.

Server 1 (spate.pgwire.authentication=scram-sha-256, TLS required,
allow.everyone.if.no.acl.found=false, an audit log; Kafka listeners
PLAINTEXT for the test's own clients, super user there, and SASL_PLAINTEXT
for the SQL engine, which logs in as `sqlsvc` through spate.sql.kafka.*):
- psql with sslmode=require and alice's SCRAM password works; a wrong
  password and an unknown user are refused with the same error text;
  sslmode=disable is refused (TLS required);
- psycopg2 (SCRAM, TLS) as alice: CREATE SOURCE and SELECT of a topic without
  READ get 42501 naming the topic and change nothing; with the ACL they work;
  CREATE SINK without WRITE on its topic, then without CREATE for the topic
  it would create, get 42501; with both it runs and writes the rows;
- the audit log has the logins (success and failure) and the denials.

Server 2 (only a SASL_PLAINTEXT Kafka listener, pgwire `password`
authentication): the engine connects as `sqlsvc` and runs a continuous
query; psql and psycopg2 log in with cleartext passwords; the test's Kafka
clients use SCRAM too.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
import psycopg2  # noqa: E402
from spate_broker import check, create_topic, produce_values, wait_until  # noqa: E402
from spate_sql import SqlServer, sink_rows  # noqa: E402

BIN = os.environ.get("SPATE_BIN", "build/spate")
COLUMNS = "(id BIGINT, item VARCHAR)"
ROWS = [{"id": i, "item": "item-%d" % i} for i in range(3)]


def sh(*args):
    return subprocess.run(list(args), check=True, capture_output=True, text=True, timeout=60)


def make_keystore(directory):
    key = os.path.join(directory, "key.pem")
    cert = os.path.join(directory, "cert.pem")
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
       "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
       "-addext", "subjectAltName=IP:127.0.0.1")
    keystore = os.path.join(directory, "keystore.pem")
    with open(keystore, "w") as out:
        out.write(open(cert).read() + open(key).read())
    return keystore


def psql(port, user, password, sql, sslmode="require"):
    env = dict(os.environ, PGPASSWORD=password, PGCONNECT_TIMEOUT="10")
    return subprocess.run(["psql", "host=127.0.0.1 port=%d user=%s dbname=spate sslmode=%s"
                           % (port, user, sslmode), "-Atc", sql],
                          capture_output=True, text=True, timeout=60, env=env)


def connect(port, user, password, sslmode="require"):
    conn = psycopg2.connect(host="127.0.0.1", port=port, user=user, password=password,
                            dbname="spate", sslmode=sslmode, connect_timeout=10)
    conn.autocommit = True
    return conn


def sql_error(conn, sql):
    """The psycopg2 error `sql` raises (None when it succeeds)."""
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
        return None
    except psycopg2.Error as e:
        return e


def rows_of(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def audit_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def find(lines, **want):
    return [l for l in lines if all(l.get(k) == v for k, v in want.items())]


def expect_denied(err, topic, what):
    check(err is not None and err.pgcode == "42501",
          "%s: expected 42501, got %s" % (what, err and (err.pgcode, str(err))))
    check(('topic "%s"' % topic) in str(err), "%s: the error names %s: %s" % (what, topic, err))


def logins(pg, audit):
    ok = psql(pg, "alice", "alice-pw", "SELECT 'scram ok'")
    check(ok.returncode == 0 and ok.stdout.strip() == "scram ok",
          "psql SCRAM over TLS: %s %s" % (ok.stdout, ok.stderr))
    wrong = psql(pg, "alice", "nope", "SELECT 1")
    unknown = psql(pg, "mallory", "nope", "SELECT 1")
    check(wrong.returncode != 0 and unknown.returncode != 0, "bad logins refused")
    check('password authentication failed for user "alice"' in wrong.stderr,
          "wrong password: %s" % wrong.stderr)
    check('password authentication failed for user "mallory"' in unknown.stderr,
          "unknown user: %s" % unknown.stderr)
    check(wrong.stderr.replace("alice", "X") == unknown.stderr.replace("mallory", "X"),
          "the same error: %r vs %r" % (wrong.stderr, unknown.stderr))
    plain = psql(pg, "alice", "alice-pw", "SELECT 1", sslmode="disable")
    check(plain.returncode != 0 and "requires TLS" in plain.stderr,
          "plaintext refused: %s" % plain.stderr)
    def four_logins():
        lines = audit_lines(audit)
        return lines if len(find(lines, event="authentication", listener="pgwire")) >= 4 else None
    lines = wait_until(four_logins, 10, "four pgwire authentication audit lines")
    ok_line = find(lines, event="authentication", listener="pgwire", principal="User:alice",
                   success=True)
    check(ok_line and ok_line[0]["mechanism"] == "SCRAM-SHA-256" and
          ok_line[0]["host"] == "127.0.0.1", "audited login: %s" % ok_line)
    check(find(lines, event="authentication", principal="User:alice", success=False),
          "audited wrong password: %s" % lines)
    check(find(lines, event="authentication", principal="User:mallory", success=False),
          "audited unknown user: %s" % lines)


def authorization(pg, plaintext, audit):
    admin = connect(pg, "admin", "admin-pw")
    alice = connect(pg, "alice", "alice-pw")
    source = "CREATE SOURCE %%s %s WITH (topic = 'orders', format = 'json')" % COLUMNS
    expect_denied(sql_error(alice, source % "alice_orders"), "orders", "CREATE SOURCE")
    check(rows_of(admin, "SHOW SOURCES") == [], "a refused CREATE SOURCE changed nothing")
    check(sql_error(admin, source % "orders_src") is None, "the super user creates a source")
    expect_denied(sql_error(alice, "SELECT * FROM orders_src"), "orders", "SELECT")
    denied = find(audit_lines(audit), event="denied", principal="User:alice",
                  resource="TOPIC:orders")
    check(len(denied) >= 2 and denied[0]["operation"] == "READ" and
          denied[0]["listener"] == "pgwire" and "CREATE SOURCE" in denied[0]["detail"],
          "audited denials: %s" % denied)

    # READ on the topic, through `spate acl create`.
    sh(BIN, "acl", "create", "--allow-principal", "User:alice", "--operation", "Read",
       "--topic", "orders", "--bootstrap", plaintext)
    check(sql_error(alice, source % "alice_orders") is None, "CREATE SOURCE with READ")
    got = sorted(rows_of(alice, "SELECT id, item FROM orders_src"))
    check(got == [(r["id"], r["item"]) for r in ROWS], "SELECT with READ: %s" % got)

    # CREATE SINK: WRITE on its topic, and CREATE since the sink creates it.
    sink = "CREATE SINK alice_sink FROM alice_orders WITH (topic = 'alice-out', format = 'json')"
    expect_denied(sql_error(alice, sink), "alice-out", "CREATE SINK without WRITE")
    sh(BIN, "acl", "create", "--allow-principal", "User:alice", "--operation", "Write",
       "--topic", "alice-out", "--bootstrap", plaintext)
    err = sql_error(alice, sink)
    expect_denied(err, "alice-out", "CREATE SINK without CREATE")
    check("CREATE" in (err.diag.message_detail or ""), "detail: %s" % err.diag.message_detail)
    check(rows_of(admin, "SHOW SINKS") == [], "refused sinks changed nothing")
    sh(BIN, "acl", "create", "--allow-principal", "User:alice", "--operation", "Create",
       "--topic", "alice-out", "--bootstrap", plaintext)
    check(sql_error(alice, sink) is None, "CREATE SINK with WRITE and CREATE")
    out = sink_rows(plaintext, "alice-out", len(ROWS))
    check(sorted(json.loads(v)["id"] for v in out) == [0, 1, 2], "sink rows: %s" % out)
    alice.close()
    admin.close()


def secured_server(tmp):
    data = os.path.join(tmp, "data1")
    for user, pw in (("alice", "alice-pw"), ("admin", "admin-pw"), ("sqlsvc", "sqlsvc-pw")):
        sh(BIN, "user", "create", user, "--password", pw, "--data-dir", data)
    audit = os.path.join(tmp, "audit.log")
    config = {
        "listeners": "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
        "sasl.enabled.mechanisms": "SCRAM-SHA-256",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": make_keystore(tmp),
        "spate.pgwire.authentication": "scram-sha-256",
        "spate.pgwire.ssl.required": "true",
        "allow.everyone.if.no.acl.found": "false",
        # The test's own plaintext clients, the SQL administrator and the engine.
        "super.users": "User:ANONYMOUS;User:admin;User:sqlsvc",
        "spate.sql.kafka.security.protocol": "SASL_PLAINTEXT",
        "spate.sql.kafka.sasl.mechanism": "SCRAM-SHA-256",
        "spate.sql.kafka.sasl.username": "sqlsvc",
        "spate.sql.kafka.sasl.password": "sqlsvc-pw",
        "spate.audit.log.file": audit,
        "group.initial.rebalance.delay.ms": "0",
    }
    with SqlServer(data_dir=data, config=config) as server:
        pg = server.pg_port()
        plaintext = server.bootstrap
        create_topic(plaintext, "orders", 1)
        produce_values(plaintext, "orders", [json.dumps(r).encode() for r in ROWS], 1)
        logins(pg, audit)
        authorization(pg, plaintext, audit)


def sasl_only_server(tmp):
    data = os.path.join(tmp, "data2")
    for user, pw in (("sqlsvc", "sqlsvc-pw"), ("carol", "carol-pw")):
        sh(BIN, "user", "create", user, "--password", pw, "--data-dir", data)
    config = {
        "listeners": "SASL_PLAINTEXT://127.0.0.1:0",
        "sasl.enabled.mechanisms": "SCRAM-SHA-256",
        "spate.pgwire.authentication": "password",
        "super.users": "User:sqlsvc",
        "spate.sql.kafka.security.protocol": "SASL_PLAINTEXT",
        "spate.sql.kafka.sasl.mechanism": "SCRAM-SHA-256",
        "spate.sql.kafka.sasl.username": "sqlsvc",
        "spate.sql.kafka.sasl.password": "sqlsvc-pw",
        "group.initial.rebalance.delay.ms": "0",
    }
    from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
    from confluent_kafka.admin import AdminClient, NewTopic
    with SqlServer(data_dir=data, config=config) as server:
        pg = server.pg_port()
        sasl = {"bootstrap.servers": server.bootstrap, "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanisms": "SCRAM-SHA-256", "sasl.username": "carol",
                "sasl.password": "carol-pw"}
        a = AdminClient(sasl)
        for f in a.create_topics([NewTopic("events", 1, 1)]).values():
            f.result(30)
        p = Producer(sasl)
        for r in ROWS:
            p.produce("events", json.dumps(r).encode(), partition=0)
        check(p.flush(30) == 0, "produced over SASL")

        ok = psql(pg, "carol", "carol-pw", "SELECT 'password ok'", sslmode="disable")
        check(ok.returncode == 0 and ok.stdout.strip() == "password ok",
              "psql password: %s %s" % (ok.stdout, ok.stderr))
        bad = psql(pg, "carol", "nope", "SELECT 1", sslmode="disable")
        check(bad.returncode != 0 and
              'password authentication failed for user "carol"' in bad.stderr,
              "wrong password: %s" % bad.stderr)
        conn = connect(pg, "carol", "carol-pw", sslmode="disable")
        with conn.cursor() as cur:
            cur.execute("CREATE SOURCE events %s WITH (topic = 'events', format = 'json')"
                        % COLUMNS)
            cur.execute("CREATE SINK big AS SELECT id, item FROM events WHERE id >= 1 "
                        "WITH (topic = 'big-events', format = 'json')")
        conn.close()

        c = Consumer(dict(sasl, **{"group.id": "auth-test-reader", "enable.auto.commit": False,
                                   "isolation.level": "read_committed"}))
        try:
            def topic_ready():
                t = c.list_topics(timeout=5).topics.get("big-events")
                return t is not None and t.error is None and t.partitions
            wait_until(topic_ready, 60, "the sink's topic over SASL")
            c.assign([TopicPartition("big-events", 0, OFFSET_BEGINNING)])
            got = []
            deadline = time.monotonic() + 60
            while len(got) < 2 and time.monotonic() < deadline:
                m = c.poll(0.2)
                if m is not None and not m.error():
                    got.append(json.loads(m.value())["id"])
            check(sorted(got) == [1, 2], "continuous query output over SASL: %s" % got)
        finally:
            c.close()


def main():
    tmp = tempfile.mkdtemp(prefix="spate-pg-auth-")
    secured_server(tmp)
    sasl_only_server(tmp)
    print("ok")


if __name__ == "__main__":
    main()
