"""pgwire over TLS, configured with Kafka's ssl.keystore.* keys in the
`--config` properties file:

- psycopg2 with sslmode=verify-full against the test's CA-less self-signed
  certificate (CN and SAN for 127.0.0.1) connects over TLS (ssl_in_use) and
  runs a query; psql with sslmode=require does too;
- sslmode=disable still connects in plaintext (TLS is offered, not forced);
- without a keystore, sslmode=require is refused by the client (the
  server answers 'N');
- a keystore that does not exist or holds no key stops `spate serve` at
  start with an error naming the file."""

import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
import psycopg2  # noqa: E402
from spate_broker import check  # noqa: E402
from spate_sql import SqlServer  # noqa: E402


def make_keystore(directory):
    """A self-signed certificate for 127.0.0.1 and its key, in one PEM file
    (the keystore) and the certificate alone (the client's root)."""
    key = os.path.join(directory, "key.pem")
    cert = os.path.join(directory, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    keystore = os.path.join(directory, "keystore.pem")
    with open(keystore, "w") as out:
        out.write(open(cert).read() + open(key).read())
    return keystore, cert


def query_one(dsn, sql="SELECT 41 + 1"):
    conn = psycopg2.connect(dsn, connect_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchone()[0], conn.info.ssl_in_use
    finally:
        conn.close()


def start_fails(tmp, config, says):
    """`spate serve` with `config` exits at start with an error naming `says`."""
    path = os.path.join(tmp, "bad.properties")
    with open(path, "w") as f:
        f.writelines("%s=%s\n" % kv for kv in config.items())
    bin_ = os.environ.get("SPATE_BIN", "build/spate")
    out = subprocess.run([bin_, "serve", "--config", path, "--data-dir",
                          os.path.join(tmp, "bad-data"), "--kafka-listen", "127.0.0.1:0",
                          "--pg-listen", "127.0.0.1:0", "--http-listen", "off"],
                         capture_output=True, text=True, timeout=30)
    check(out.returncode != 0, "spate serve started with %s" % config)
    check(says in out.stderr, "the start error names %r: %s" % (says, out.stderr))


def main():
    tmp = tempfile.mkdtemp(prefix="spate-pg-tls-")
    keystore, cert = make_keystore(tmp)
    config = {"ssl.keystore.type": "PEM", "ssl.keystore.location": keystore}
    with SqlServer(config=config) as server:
        dsn = server.dsn()
        value, tls = query_one(dsn + " sslmode=verify-full sslrootcert=" + cert)
        check(value == 42 and tls, "verify-full: %s over TLS %s" % (value, tls))
        value, tls = query_one(dsn + " sslmode=disable")
        check(value == 42 and not tls, "sslmode=disable: %s over TLS %s" % (value, tls))
        out = subprocess.run(["psql", dsn + " sslmode=require", "-Atc",
                              "SELECT 'tls ok'"], capture_output=True, text=True, timeout=30)
        check(out.returncode == 0 and out.stdout.strip() == "tls ok",
              "psql sslmode=require: %s %s" % (out.stdout, out.stderr))
        # A client that gives up in the middle of the handshake costs one
        # connection: the server keeps serving.
        import socket
        import struct
        s = socket.create_connection(("127.0.0.1", server.pg_port()), timeout=10)
        s.sendall(struct.pack("!ii", 8, 80877103))
        check(s.recv(1) == b"S", "SSLRequest answered S")
        s.sendall(b"\x16\x03\x01\x00\x05hello")  # a broken ClientHello
        s.close()
        value, tls = query_one(dsn + " sslmode=require")
        check(value == 42 and tls, "TLS after a broken handshake")

    with SqlServer() as plain:
        try:
            query_one(plain.dsn() + " sslmode=require")
            raise AssertionError("sslmode=require connected to a server without TLS")
        except psycopg2.OperationalError as e:
            check("does not support SSL" in str(e), "refusal: %s" % e)

    start_fails(tmp, {"ssl.keystore.location": os.path.join(tmp, "missing.pem")}, "missing.pem")
    start_fails(tmp, {"ssl.keystore.location": cert}, "no private key")
    start_fails(tmp, {"ssl.keystore.type": "JKS"}, "ssl.keystore.type")
    print("ok")


if __name__ == "__main__":
    main()
