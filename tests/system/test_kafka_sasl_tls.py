"""Kafka listeners with TLS and SASL, against real clients.

One broker with four named listeners (PLAINTEXT, SASL_SSL, SSL with
ssl.client.auth=required, SASL_PLAINTEXT), certificates made with openssl in
a temporary directory (a CA, the server's for 127.0.0.1, a client's, an
expired client's), and users created offline with `spate user create
--data-dir` before the first start (SCRAM-SHA-256 and -512), one more online
over the PLAINTEXT listener (AlterUserScramCredentials):

- kcat (librdkafka) produces and consumes over SASL_SSL with SCRAM-SHA-512,
  and over mTLS; refused: a wrong password, an unknown user (the same error
  text for both), a plaintext client on the TLS port, an expired client
  certificate;
- confluent_kafka produces and consumes over SASL_SSL SCRAM-SHA-512 and
  over mTLS;
- kafka-python produces and consumes with PLAIN (SASL_PLAINTEXT) and
  SCRAM-SHA-256 (SASL_SSL);
- Metadata answers each client with the address of the listener it came in on;
- the broker logs the failed logins and the mTLS principal (mapped by
  ssl.principal.mapping.rules), and its audit log (spate.audit.log.file)
  records every authentication: SCRAM and PLAIN successes, the failed
  logins (with the user tried), the mTLS principal and the refused
  (expired) certificate's handshake;
- `spate user list` shows the users; a connection that sends Metadata
  before authenticating is closed; Fetch never serves __spate_credentials.
"""

import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
from spate_broker import Broker, check  # noqa: E402

BIN = os.environ.get("SPATE_BIN", "build/spate")


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, capture_output=True, **kw)


def make_certs(d):
    """CA, server (127.0.0.1), client alice, expired client; paths."""
    def key_and_csr(name, subj):
        sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", os.path.join(d, name + ".key"), "-out", os.path.join(d, name + ".csr"),
           "-subj", subj)

    def sign(name, days, ext=None):
        args = ["openssl", "x509", "-req", "-in", os.path.join(d, name + ".csr"),
                "-CA", os.path.join(d, "ca.pem"), "-CAkey", os.path.join(d, "ca.key"),
                "-CAcreateserial", "-out", os.path.join(d, name + ".pem"), "-days", str(days)]
        if ext:
            path = os.path.join(d, name + ".ext")
            with open(path, "w") as f:
                f.write(ext)
            args += ["-extfile", path]
        sh(*args)

    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
       "-nodes", "-keyout", os.path.join(d, "ca.key"), "-out", os.path.join(d, "ca.pem"),
       "-days", "2", "-subj", "/CN=spate-test-ca")
    key_and_csr("server", "/CN=127.0.0.1")
    sign("server", 2, "subjectAltName=IP:127.0.0.1\n")
    key_and_csr("alice", "/O=acme/OU=eng/CN=Alice")
    sign("alice", 2)
    key_and_csr("old", "/O=acme/CN=old")
    sign("old", -1)  # notAfter yesterday: expired
    keystore = os.path.join(d, "keystore.pem")
    with open(keystore, "w") as out:
        out.write(open(os.path.join(d, "server.pem")).read() +
                  open(os.path.join(d, "server.key")).read())
    return keystore


def kcat(bootstrap, props, *args, input=None, timeout=30):
    cmd = ["kcat", "-b", bootstrap]
    for k, v in props.items():
        cmd += ["-X", "%s=%s" % (k, v)]
    return subprocess.run(cmd + list(args), input=input, capture_output=True, text=True,
                          timeout=timeout)


def kcat_roundtrip(bootstrap, props, topic, n=20):
    lines = "".join("%s-%d\n" % (topic, i) for i in range(n))
    p = kcat(bootstrap, props, "-P", "-t", topic, "-X", "acks=all", input=lines)
    check(p.returncode == 0, "kcat produce to %s failed: %s" % (topic, p.stderr))
    c = kcat(bootstrap, props, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-c", str(n))
    check(c.returncode == 0, "kcat consume of %s failed: %s" % (topic, c.stderr))
    check(c.stdout == lines, "kcat read %r from %s" % (c.stdout[:200], topic))


def kcat_refused(bootstrap, props, what):
    p = kcat(bootstrap, dict(props, **{"socket.timeout.ms": "3000"}), "-L", "-m", "2",
             timeout=20)
    check(p.returncode != 0, "%s: kcat -L succeeded:\n%s" % (what, p.stdout))
    return p.stderr


def confluent_roundtrip(bootstrap, props, topic, n=20):
    from confluent_kafka import Consumer, Producer
    p = Producer(dict(props, **{"bootstrap.servers": bootstrap, "acks": "all"}))
    for i in range(n):
        p.produce(topic, b"v%d" % i)
    check(p.flush(20) == 0, "confluent_kafka: unflushed records to %s" % topic)
    c = Consumer(dict(props, **{"bootstrap.servers": bootstrap, "group.id": "g-" + topic,
                                "auto.offset.reset": "earliest"}))
    c.subscribe([topic])
    got = []
    deadline = time.monotonic() + 20
    while len(got) < n and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            got.append(m.value())
    c.close()
    check(got == [b"v%d" % i for i in range(n)], "confluent_kafka read %r" % got[:5])


def kafka_python_roundtrip(port, props, topic, n=10):
    from kafka import KafkaConsumer, KafkaProducer
    common = dict(bootstrap_servers="127.0.0.1:%d" % port, **props)
    p = KafkaProducer(acks="all", **common)
    for i in range(n):
        p.send(topic, b"kp%d" % i)
    p.flush(20)
    p.close()
    c = KafkaConsumer(topic, auto_offset_reset="earliest", consumer_timeout_ms=10000,
                      group_id="kp-" + topic, **common)
    got = []
    for m in c:
        got.append(m.value)
        if len(got) == n:
            break
    c.close()
    check(got == [b"kp%d" % i for i in range(n)], "kafka-python read %r from %s" % (got, topic))


def metadata_before_auth_closes(port):
    """A Metadata v1 request as the first frame of a SASL connection: the
    broker closes the connection without answering."""
    body = struct.pack(">hhih", 3, 1, 7, 4) + b"test" + struct.pack(">i", -1)
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(struct.pack(">i", len(body)) + body)
    try:
        data = s.recv(4)
    except ConnectionResetError:
        data = b""
    s.close()
    check(data == b"", "Metadata before authentication was answered: %r" % data)


def main():
    tmp = tempfile.mkdtemp(prefix="spate-sasl-")
    keystore = make_certs(tmp)
    ca = os.path.join(tmp, "ca.pem")
    data = os.path.join(tmp, "data")
    # The first users, offline, before the broker ever ran.
    for user, pw in (("alice", "alice-secret"), ("admin", "admin-secret")):
        sh(BIN, "user", "create", user, "--password", pw, "--data-dir", data)
    out = sh(BIN, "user", "list", "--data-dir", data, text=True).stdout
    check("alice SCRAM-SHA-256(iterations=4096) SCRAM-SHA-512(iterations=4096)" in out,
          "offline list: %s" % out)
    config = {
        "listeners": "PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0,"
                     "SASL_PLAINTEXT://127.0.0.1:0",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": keystore,
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": ca,
        "ssl.client.auth": "required",
        "ssl.principal.mapping.rules": "RULE:^CN=([^,]*),.*$/$1/L,DEFAULT",
        "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
        "group.initial.rebalance.delay.ms": "0",
        "spate.audit.log.file": os.path.join(tmp, "audit.log"),
    }
    with Broker(data_dir=data, config=config) as b:
        ports = b.listener_ports(4)
        check(set(ports) == {"PLAINTEXT", "SASL_SSL", "SSL", "SASL_PLAINTEXT"},
              "listeners: %s" % ports)
        sasl_ssl = "127.0.0.1:%d" % ports["SASL_SSL"]
        ssl_ = "127.0.0.1:%d" % ports["SSL"]
        scram512 = {"security.protocol": "SASL_SSL", "sasl.mechanisms": "SCRAM-SHA-512",
                    "sasl.username": "alice", "sasl.password": "alice-secret",
                    "ssl.ca.location": ca}
        mtls = {"security.protocol": "SSL", "ssl.ca.location": ca,
                "ssl.certificate.location": os.path.join(tmp, "alice.pem"),
                "ssl.key.location": os.path.join(tmp, "alice.key")}

        # An online user over the PLAINTEXT listener.
        sh(BIN, "user", "create", "bob", "--password", "bob-secret", "--mechanism",
           "SCRAM-SHA-512", "--bootstrap", b.bootstrap)
        listed = sh(BIN, "user", "list", "--bootstrap", b.bootstrap, text=True).stdout
        check("bob SCRAM-SHA-512(iterations=4096)" in listed, "online list: %s" % listed)

        # The credentials topic is never served to clients.
        leak = kcat(b.bootstrap, {}, "-C", "-t", "__spate_credentials", "-o", "beginning", "-e",
                    "-q", timeout=20)
        check("stored_key" not in leak.stdout, "credentials served: %s" % leak.stdout[:200])

        # kcat over SASL_SSL SCRAM-SHA-512 (alice, then the online bob) and mTLS.
        kcat_roundtrip(sasl_ssl, scram512, "sasl-kcat")
        kcat_roundtrip(sasl_ssl, dict(scram512, **{"sasl.username": "bob",
                                                    "sasl.password": "bob-secret"}), "sasl-bob")
        kcat_roundtrip(ssl_, mtls, "mtls-kcat")
        # Metadata names the listener the client came in on.
        md = kcat(sasl_ssl, scram512, "-L", "-t", "sasl-kcat")
        check(":%d" % ports["SASL_SSL"] in md.stdout, "SASL_SSL metadata:\n%s" % md.stdout)
        md = kcat(ssl_, mtls, "-L", "-t", "sasl-kcat")
        check(":%d" % ports["SSL"] in md.stdout, "SSL metadata:\n%s" % md.stdout)

        # Refused.
        wrong = kcat_refused(sasl_ssl, dict(scram512, **{"sasl.password": "nope"}),
                             "wrong password")
        unknown = kcat_refused(sasl_ssl, dict(scram512, **{"sasl.username": "mallory"}),
                               "unknown user")
        check("Authentication failed: invalid credentials" in wrong, "wrong password: " + wrong)
        check("Authentication failed: invalid credentials" in unknown, "unknown user: " + unknown)
        kcat_refused(sasl_ssl, {"security.protocol": "PLAINTEXT"}, "plaintext on TLS port")
        kcat_refused(ssl_, dict(mtls, **{"ssl.certificate.location": os.path.join(tmp, "old.pem"),
                                         "ssl.key.location": os.path.join(tmp, "old.key")}),
                     "expired certificate")
        kcat_refused(ssl_, {"security.protocol": "SSL", "ssl.ca.location": ca},
                     "no client certificate")
        metadata_before_auth_closes(ports["SASL_PLAINTEXT"])

        # confluent_kafka.
        confluent_roundtrip(sasl_ssl, scram512, "sasl-confluent")
        confluent_roundtrip(ssl_, mtls, "mtls-confluent")

        # kafka-python: PLAIN over SASL_PLAINTEXT, SCRAM-SHA-256 over SASL_SSL.
        kafka_python_roundtrip(ports["SASL_PLAINTEXT"], {
            "security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN",
            "sasl_plain_username": "admin", "sasl_plain_password": "admin-secret"}, "kp-plain")
        kafka_python_roundtrip(ports["SASL_SSL"], {
            "security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-256",
            "sasl_plain_username": "alice", "sasl_plain_password": "alice-secret",
            "ssl_cafile": ca}, "kp-scram")

        log = "\n".join(b.output)
        check("as User:alice (certificate)" in log, "mTLS principal not logged")
        check(re.search(r"authentication failed: .*user 'mallory'", log),
              "failed login of an unknown user not logged")
        check("as User:alice (SCRAM-SHA-512)" in log, "SCRAM login not logged")
        check_audit(os.path.join(tmp, "audit.log"))
    print("ok")


def check_audit(path):
    """Every kind of Kafka authentication the test made is in the audit log."""
    with open(path) as f:
        events = [json.loads(line) for line in f if line.strip()]
    auths = [e for e in events if e.get("event") == "authentication"]

    def seen(**want):
        return any(all(e.get(k) == v for k, v in want.items()) for e in auths)

    for want in (dict(success=True, principal="User:alice", mechanism="SCRAM-SHA-512",
                      listener="SASL_SSL"),
                 dict(success=True, principal="User:alice", mechanism="SCRAM-SHA-256"),
                 dict(success=True, principal="User:admin", mechanism="PLAIN",
                      listener="SASL_PLAINTEXT"),
                 dict(success=False, principal="User:mallory", mechanism="SCRAM-SHA-512"),
                 dict(success=False, principal="User:alice", mechanism="SCRAM-SHA-512"),
                 dict(success=True, principal="User:alice", mechanism="mTLS", listener="SSL"),
                 dict(success=False, mechanism="SSL", listener="SSL")):
        check(seen(**want), "no authentication audited like %s in:\n%s"
              % (want, "\n".join(json.dumps(e) for e in auths[:50])))
    check(all(e.get("host") == "127.0.0.1" for e in auths if e.get("success")),
          "a successful authentication without its host")


if __name__ == "__main__":
    main()
