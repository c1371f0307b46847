"""`spate` client commands with --command-config (Kafka client properties)
against a broker whose clients must authenticate.

One broker: listeners PLAINTEXT (User:ANONYMOUS, allowed nothing:
allow.everyone.if.no.acl.found=false), SASL_SSL, SSL (mTLS, client
certificates required) and SASL_PLAINTEXT; super.users=User:admin; admin
created offline before the first start. With command configs for admin over
SASL_SSL (SCRAM-SHA-512), mTLS (certificate CN=admin) and SASL_PLAINTEXT
(PLAIN):

- topic create/list/describe/delete, produce then consume (librdkafka);
  group reset-offsets then group list; txn list, acl create/list and user
  create/list/delete (the raw-protocol client: TLS and SASL of its own);
- a user created online logs in with its own command config (and sees only
  the topics its ACLs allow); deleted, its login fails;
- PLAINTEXT without a command config is refused by the ACLs;
- a wrong password fails with a clear error and exit 1, on the librdkafka
  and the raw paths; a command config with an unknown key or a bad value is
  refused naming the key and the file, before connecting.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
from spate_broker import Broker, check  # noqa: E402

BIN = os.environ.get("SPATE_BIN", "build/spate")
TOPIC = "cc-orders"


def sh(*args):
    return subprocess.run(list(args), check=True, capture_output=True)


def make_certs(d):
    """CA, server certificate for 127.0.0.1, client certificate CN=admin."""
    def path(name):
        return os.path.join(d, name)

    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
       "-nodes", "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2",
       "-subj", "/CN=spate-cc-ca")
    for name, subj, ext in (("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\n"),
                            ("admin", "/O=acme/CN=admin", None)):
        sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", path(name + ".key"), "-out", path(name + ".csr"), "-subj", subj)
        args = ["openssl", "x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.pem"),
                "-CAkey", path("ca.key"), "-CAcreateserial", "-out", path(name + ".pem"),
                "-days", "2"]
        if ext:
            with open(path(name + ".ext"), "w") as f:
                f.write(ext)
            args += ["-extfile", path(name + ".ext")]
        sh(*args)
    with open(path("keystore.pem"), "w") as out:
        out.write(open(path("server.pem")).read() + open(path("server.key")).read())
    return path("keystore.pem")


def write_props(d, name, props):
    p = os.path.join(d, name + ".properties")
    with open(p, "w") as f:
        f.write("# %s\n" % name)
        for k, v in props.items():
            f.write("%s=%s\n" % (k, v))
    return p


def spate(bootstrap, cfg, *args, input=None, timeout=60):
    cmd = [BIN] + list(args) + ["--bootstrap", bootstrap]
    if cfg:
        cmd += ["--command-config", cfg]
    return subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)


def ok(bootstrap, cfg, *args, input=None):
    p = spate(bootstrap, cfg, *args, input=input)
    check(p.returncode == 0, "spate %s (%s) failed (%d): %s"
          % (" ".join(args), os.path.basename(cfg or "-"), p.returncode, p.stderr))
    return p.stdout


def refused(bootstrap, cfg, *args, expect):
    start = time.monotonic()
    p = spate(bootstrap, cfg, *args)
    check(p.returncode == 1, "spate %s (%s): exit %d, want 1; stdout %r stderr %r"
          % (" ".join(args), os.path.basename(cfg or "-"), p.returncode, p.stdout, p.stderr))
    check(re.search(expect, p.stderr), "spate %s: stderr %r lacks %r"
          % (" ".join(args), p.stderr, expect))
    return time.monotonic() - start


def main():
    tmp = tempfile.mkdtemp(prefix="spate-cc-")
    keystore = make_certs(tmp)
    ca = os.path.join(tmp, "ca.pem")
    data = os.path.join(tmp, "data")
    sh(BIN, "user", "create", "admin", "--password", "admin-secret", "--data-dir", data)
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
        "super.users": "User:admin",
        "allow.everyone.if.no.acl.found": "false",
        "group.initial.rebalance.delay.ms": "0",
    }
    scram = {"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
             "sasl.username": "admin", "sasl.password": "admin-secret", "ssl.ca.location": ca}
    sasl = write_props(tmp, "admin-sasl-ssl", scram)
    mtls = write_props(tmp, "admin-mtls", {
        "security.protocol": "SSL", "ssl.ca.location": ca,
        "ssl.certificate.location": os.path.join(tmp, "admin.pem"),
        "ssl.key.location": os.path.join(tmp, "admin.key")})
    plain = write_props(tmp, "admin-plain", {
        "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN",
        "sasl.username": "admin", "sasl.password": "admin-secret"})
    wrong = write_props(tmp, "wrong", dict(scram, **{"sasl.password": "not-the-password"}))
    unknown = write_props(tmp, "unknown", dict(scram, **{"sasl.jaas.config": "x required;"}))
    bad_value = write_props(tmp, "bad-value", dict(scram, **{"security.protocol": "TLS"}))
    carol = write_props(tmp, "carol", dict(scram, **{"sasl.username": "carol",
                                                      "sasl.password": "carol-secret"}))
    alice = write_props(tmp, "alice", {
        "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-256",
        "sasl.username": "alice", "sasl.password": "alice-secret"})

    with Broker(data_dir=data, config=config) as b:
        ports = b.listener_ports(4)
        check(set(ports) == {"PLAINTEXT", "SASL_SSL", "SSL", "SASL_PLAINTEXT"},
              "listeners: %s" % ports)
        at = {k: "127.0.0.1:%d" % v for k, v in ports.items()}

        # Anonymous (no command config, PLAINTEXT) is allowed nothing.
        refused(at["PLAINTEXT"], None, "topic", "create", "cc-anon", expect="AUTHORIZATION")

        # Topics, produce and consume over the librdkafka paths.
        ok(at["SASL_SSL"], sasl, "topic", "create", TOPIC, "--partitions", "2")
        check(TOPIC in ok(at["SSL"], mtls, "topic", "list").split(), "topic list over mTLS")
        check(TOPIC in ok(at["SASL_PLAINTEXT"], plain, "topic", "describe", TOPIC),
              "topic describe over SASL_PLAINTEXT PLAIN")
        values = ["v%d" % i for i in range(20)]
        ok(at["SASL_SSL"], sasl, "produce", TOPIC, input="".join(v + "\n" for v in values))
        got = ok(at["SSL"], mtls, "consume", TOPIC, "--from-beginning", "--count", "20",
                 "--timeout-ms", "20000").split()
        check(sorted(got) == sorted(values), "consumed over mTLS: %r" % got)

        # Groups.
        ok(at["SASL_SSL"], sasl, "group", "reset-offsets", "cc-group", "--topic", TOPIC,
           "--to-earliest")
        check("cc-group" in ok(at["SSL"], mtls, "group", "list"), "group list over mTLS")

        # The raw-protocol client: transactions, ACLs, users.
        ok(at["SASL_SSL"], sasl, "txn", "list")
        ok(at["SSL"], mtls, "txn", "list")
        ok(at["SASL_PLAINTEXT"], plain, "user", "create", "alice", "--password", "alice-secret")
        ok(at["SASL_SSL"], sasl, "user", "create", "carol", "--password", "carol-secret",
           "--mechanism", "SCRAM-SHA-512")
        users = ok(at["SSL"], mtls, "user", "list")
        check(re.search(r"^carol SCRAM-SHA-512\(iterations=4096\)$", users, re.M) and
              re.search(r"^alice SCRAM-SHA-256", users, re.M), "user list: %s" % users)
        ok(at["SASL_SSL"], sasl, "acl", "create", "--allow-principal", "User:alice",
           "--operation", "Describe", "--topic", TOPIC)
        acls = ok(at["SSL"], mtls, "acl", "list", "--topic", TOPIC)
        check("principal=User:alice" in acls and "operation=DESCRIBE" in acls,
              "acl list over mTLS: %s" % acls)
        acls = ok(at["SASL_PLAINTEXT"], plain, "acl", "list")
        check("principal=User:alice" in acls, "acl list over PLAIN: %s" % acls)

        # The users created online log in with their own command configs;
        # Metadata shows each only what its ACLs allow.
        check(ok(at["SASL_PLAINTEXT"], alice, "topic", "list").split() == [TOPIC],
              "alice's topics")
        check(ok(at["SASL_SSL"], carol, "topic", "list").split() == [], "carol's topics")
        ok(at["SSL"], mtls, "user", "delete", "carol")  # her one mechanism
        check("carol" not in ok(at["SASL_SSL"], sasl, "user", "list"), "carol not deleted")
        refused(at["SASL_SSL"], carol, "topic", "list", expect="(?i)authentication")

        # A wrong password: librdkafka and raw paths, a clear error, exit 1.
        took = refused(at["SASL_SSL"], wrong, "topic", "list",
                       expect="(?i)authentication failed")
        check(took < 30, "wrong password took %.1fs to fail" % took)
        refused(at["SASL_SSL"], wrong, "produce", TOPIC, expect="(?i)authentication failed")
        refused(at["SASL_SSL"], wrong, "user", "list",
                expect=r"authentication failed at 127\.0\.0\.1:\d+ \(user 'admin', SCRAM-SHA-512\)")
        refused(at["SASL_SSL"], wrong, "acl", "list", expect="authentication failed")
        # A plaintext client on the TLS port.
        refused(at["SASL_SSL"], None, "topic", "list", expect="broker")

        # A bad command config is refused before connecting, naming key and file.
        for args in (("topic", "list"), ("user", "list"), ("acl", "list"), ("txn", "list"),
                     ("consume", TOPIC)):
            refused(at["SASL_SSL"], unknown, *args,
                    expect=re.escape(unknown) + r":\d+: unknown key 'sasl\.jaas\.config'")
        refused(at["SASL_SSL"], bad_value, "topic", "list",
                expect=re.escape(bad_value) + r":\d+: security\.protocol: invalid value 'TLS'")

        ok(at["SSL"], mtls, "topic", "delete", TOPIC)
        check(TOPIC not in ok(at["SASL_SSL"], sasl, "topic", "list").split(), "topic not deleted")
    print("ok")


if __name__ == "__main__":
    main()
