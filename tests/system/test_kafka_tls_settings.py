"""Kafka's ssl.key.password, ssl.enabled.protocols and ssl.cipher.suites.

A broker with a PLAINTEXT and an SSL listener whose PEM keystore holds an
encrypted private key (openssl pkcs8 -v2 aes-256-cbc), TLS 1.3 only and one
cipher suite:

- kcat (librdkafka) produces and consumes over the SSL listener;
- Python's ssl module negotiates exactly TLSv1.3 with TLS_AES_128_GCM_SHA256,
  and a client limited to TLS 1.2 is refused;
- a listener.name.<name>. override re-enables TLS 1.2 with one IANA-named
  TLS 1.2 suite on a second SSL listener, which a TLS 1.2 client then gets;
- starts with a wrong key password or an unknown suite are refused, naming
  ssl.key.password or the suite.
"""

import os
import socket
import ssl
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
from spate_broker import Broker, check  # noqa: E402

BIN = os.environ.get("SPATE_BIN", "build/spate")


def sh(*args):
    return subprocess.run(list(args), check=True, capture_output=True)


def make_keystore(d, password):
    """A self-signed EC certificate for 127.0.0.1 and its encrypted key, in one file."""
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
       "-nodes", "-keyout", os.path.join(d, "plain.key"), "-out", os.path.join(d, "cert.pem"),
       "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
    sh("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", os.path.join(d, "plain.key"),
       "-out", os.path.join(d, "enc.key"), "-passout", "pass:" + password)
    keystore = os.path.join(d, "keystore.pem")
    with open(keystore, "w") as out:
        out.write(open(os.path.join(d, "cert.pem")).read() +
                  open(os.path.join(d, "enc.key")).read())
    check("ENCRYPTED PRIVATE KEY" in open(keystore).read(), "the key is not encrypted")
    return keystore


def negotiated(port, ca, max_version=None):
    """(protocol, cipher) a Python TLS client gets, or None when refused."""
    ctx = ssl.create_default_context(cafile=ca)
    if max_version:
        ctx.maximum_version = max_version
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                return t.version(), t.cipher()[0]
    except (ssl.SSLError, ConnectionError):
        return None


def kcat_roundtrip(port, ca, topic, n=20):
    props = ["-X", "security.protocol=SSL", "-X", "ssl.ca.location=" + ca]
    lines = "".join("%s-%d\n" % (topic, i) for i in range(n))
    p = subprocess.run(["kcat", "-b", "127.0.0.1:%d" % port] + props +
                       ["-P", "-t", topic, "-X", "acks=all"],
                       input=lines, capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, "kcat produce failed: %s" % p.stderr)
    c = subprocess.run(["kcat", "-b", "127.0.0.1:%d" % port] + props +
                       ["-C", "-t", topic, "-o", "beginning", "-e", "-q", "-c", str(n)],
                       capture_output=True, text=True, timeout=30)
    check(c.returncode == 0, "kcat consume failed: %s" % c.stderr)
    check(c.stdout == lines, "kcat read %r" % c.stdout[:200])


def refused(config, expect, tmp):
    """`spate serve` with `config` must exit non-zero saying `expect`."""
    path = os.path.join(tmp, "refused.properties")
    with open(path, "w") as f:
        f.write("".join("%s=%s\n" % kv for kv in config.items()))
    r = subprocess.run([BIN, "serve", "--config", path, "--data-dir", os.path.join(tmp, "r"),
                        "--kafka-listen", "127.0.0.1:0", "--pg-listen", "off",
                        "--http-listen", "off"], capture_output=True, text=True, timeout=30)
    out = r.stdout + r.stderr
    check(r.returncode != 0, "a start that should fail did not:\n" + out[-2000:])
    check(expect in out, "the refused start did not say %r:\n%s" % (expect, out[-2000:]))


def main():
    tmp = tempfile.mkdtemp(prefix="spate-tls-settings-")
    keystore = make_keystore(tmp, "s3cret")
    ca = os.path.join(tmp, "cert.pem")
    config = {
        "listeners": "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,LEGACY://127.0.0.1:0",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SSL:SSL,LEGACY:SSL",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": keystore,
        "ssl.key.password": "s3cret",
        "ssl.enabled.protocols": "TLSv1.3",
        "ssl.cipher.suites": "TLS_AES_128_GCM_SHA256",
        "listener.name.legacy.ssl.enabled.protocols": "TLSv1.2",
        "listener.name.legacy.ssl.cipher.suites": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    }
    with Broker(config=config) as b:
        ports = b.listener_ports(3)
        check(set(ports) == {"PLAINTEXT", "SSL", "LEGACY"}, "listeners: %s" % ports)

        kcat_roundtrip(ports["SSL"], ca, "tls13-kcat")
        got = negotiated(ports["SSL"], ca)
        check(got == ("TLSv1.3", "TLS_AES_128_GCM_SHA256"), "SSL listener negotiated %s" % (got,))
        got = negotiated(ports["SSL"], ca, ssl.TLSVersion.TLSv1_2)
        check(got is None, "a TLS 1.2 client got %s from a TLS 1.3-only listener" % (got,))

        got = negotiated(ports["LEGACY"], ca)
        check(got == ("TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384"),
              "LEGACY listener negotiated %s" % (got,))
        kcat_roundtrip(ports["LEGACY"], ca, "tls12-kcat")

    base = {"listeners": "SSL://127.0.0.1:0", "ssl.keystore.type": "PEM",
            "ssl.keystore.location": keystore}
    refused(dict(base, **{"ssl.key.password": "wrong"}), "ssl.key.password", tmp)
    refused(base, "ssl.key.password", tmp)
    refused(dict(base, **{"ssl.key.password": "s3cret", "ssl.cipher.suites": "TLS_NOPE"}),
            "TLS_NOPE", tmp)
    refused(dict(base, **{"ssl.key.password": "s3cret", "ssl.enabled.protocols": "TLSv1.1"}),
            "ssl.enabled.protocols", tmp)
    print("ok")


if __name__ == "__main__":
    main()
