"""The schema registry over HTTPS with HTTP Basic, mutual TLS and subject ACLs.

One broker, certificates made with openssl (test_kafka_sasl_tls.make_certs:
a CA, the server's for 127.0.0.1, client Alice's, an expired client's),
users created offline with `spate user create --data-dir`, and
spate.http.security.protocol=SSL, spate.http.ssl.client.auth=requested,
spate.http.authentication=basic, an audit log:

- `requests` with the CA: the right password is served; no credentials, a
  wrong password, an unknown user and a malformed header all get the same
  401 (WWW-Authenticate: Basic, error_code 40101); plain HTTP on the HTTPS
  port gets no answer;
- confluent_kafka's SchemaRegistryClient (basic.auth.user.info, the CA)
  registers and reads back a schema as a user with a PREFIXED WRITE ACL
  (`spate acl create --subject orders- --resource-pattern-type prefixed`);
  a user without WRITE on that subject gets 403 (error_code 40301), a wrong
  password 401;
- /subjects lists only the subjects the principal may describe;
- mTLS: Alice's certificate, mapped by ssl.principal.mapping.rules to
  User:alice, registers without a password; an expired certificate is
  refused at the handshake;
- the audit log holds the Basic and mTLS authentications (success and
  failure) and the denied registration.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, here)
from spate_broker import Broker, check, spate_cli, wait_until  # noqa: E402
from test_kafka_sasl_tls import make_certs  # noqa: E402

import requests  # noqa: E402

BIN = os.environ.get("SPATE_BIN", "build/spate")
CT = "application/vnd.schemaregistry.v1+json"
SCHEMA = json.dumps({"type": "record", "name": "Order",
                     "fields": [{"name": "id", "type": "long"}]})


def sh(*args):
    return subprocess.run(list(args), check=True, capture_output=True, text=True)


def audit_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def has_event(path, **want):
    return any(all(e.get(k) == v for k, v in want.items()) for e in audit_lines(path))


def check_unauthorized(r, what):
    check(r.status_code == 401, "%s: status %d %s" % (what, r.status_code, r.text))
    check(r.headers.get("WWW-Authenticate") == 'Basic realm="spate"',
          "%s: WWW-Authenticate %r" % (what, r.headers.get("WWW-Authenticate")))
    check(r.json() == {"error_code": 40101, "message": "Unauthorized"},
          "%s: body %s" % (what, r.text))


def register(url, ca, auth=None, cert=None, subject="orders-value"):
    return requests.post("%s/subjects/%s/versions" % (url, subject), auth=auth, cert=cert,
                         verify=ca, headers={"Content-Type": CT},
                         data=json.dumps({"schema": SCHEMA}), timeout=30)


def confluent_client(url, ca, user_info):
    from confluent_kafka.schema_registry import SchemaRegistryClient
    return SchemaRegistryClient({"url": url, "ssl.ca.location": ca,
                                 "basic.auth.user.info": user_info})


def check_confluent_client(url, ca):
    from confluent_kafka.schema_registry import Schema
    from confluent_kafka.schema_registry.error import SchemaRegistryError
    alice = confluent_client(url, ca, "alice:alice-secret")
    sid = alice.register_schema("orders-value", Schema(SCHEMA, "AVRO"))
    check(sid > 0, "confluent register answered %r" % sid)
    got = alice.get_latest_version("orders-value")
    check(got.schema_id == sid and got.subject == "orders-value",
          "confluent latest version: %r" % got)
    for user_info, status, code in (("bob:bob-secret", 403, 40301),
                                    ("alice:wrong", 401, 40101)):
        try:
            confluent_client(url, ca, user_info).register_schema(
                "orders-value", Schema(SCHEMA.replace("Order", "Other"), "AVRO"))
            check(False, "confluent client as %s registered" % user_info)
        except SchemaRegistryError as e:
            check(e.http_status_code == status and e.error_code == code,
                  "confluent client as %s: %s %s" % (user_info, e.http_status_code,
                                                      e.error_code))
    return sid


def main():
    # requests lets these variables override a Session's `verify`, which is
    # how SchemaRegistryClient applies ssl.ca.location.
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(var, None)
    tmp = tempfile.mkdtemp(prefix="spate-httpauth-")
    keystore = make_certs(tmp)
    ca = os.path.join(tmp, "ca.pem")
    data = os.path.join(tmp, "data")
    audit = os.path.join(tmp, "audit.log")
    for user, pw in (("alice", "alice-secret"), ("bob", "bob-secret")):
        sh(BIN, "user", "create", user, "--password", pw, "--data-dir", data)
    config = {
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": keystore,
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": ca,
        "ssl.principal.mapping.rules": "RULE:^CN=([^,]*),.*$/$1/L,DEFAULT",
        "spate.http.security.protocol": "SSL",
        "spate.http.ssl.client.auth": "requested",
        "spate.http.authentication": "basic",
        "spate.audit.log.file": audit,
    }
    with Broker(data_dir=data, config=config,
                extra_args=["--http-listen", "127.0.0.1:0"]) as b:
        url = "https://127.0.0.1:%d" % b.http_port
        alice = ("alice", "alice-secret")
        ok = requests.get(url + "/subjects", auth=alice, verify=ca, timeout=30)
        check(ok.status_code == 200 and ok.json() == [], "alice GET /subjects: %s" % ok.text)

        # One 401 whatever the reason.
        check_unauthorized(requests.get(url + "/subjects", verify=ca, timeout=30),
                           "no credentials")
        check_unauthorized(requests.get(url + "/subjects", auth=("alice", "nope"), verify=ca,
                                        timeout=30), "wrong password")
        check_unauthorized(requests.get(url + "/subjects", auth=("mallory", "alice-secret"),
                                        verify=ca, timeout=30), "unknown user")
        check_unauthorized(requests.get(url + "/subjects", verify=ca, timeout=30,
                                        headers={"Authorization": "Basic %%%"}), "malformed")
        bad = base64.b64encode(b"no-colon").decode()
        check_unauthorized(requests.get(url + "/subjects", verify=ca, timeout=30,
                                        headers={"Authorization": "Basic " + bad}), "no colon")
        try:
            r = requests.get("http://127.0.0.1:%d/subjects" % b.http_port, auth=alice,
                             timeout=10)
            check(False, "plain HTTP on the HTTPS port answered %d" % r.status_code)
        except requests.exceptions.ConnectionError:
            pass

        # Subject ACLs: alice may WRITE every orders-* subject (PREFIXED) and
        # READ orders-value; bob has nothing on them.
        spate_cli(b, "acl", "create", "--allow-principal", "User:alice", "--operation", "Write",
                  "--subject", "orders-", "--resource-pattern-type", "prefixed")
        spate_cli(b, "acl", "create", "--allow-principal", "User:alice", "--operation", "Read",
                  "--subject", "orders-value")
        listed = spate_cli(b, "acl", "list", "--subject", "orders-", "--resource-pattern-type",
                           "prefixed")
        check("resourceType=SUBJECT" in listed and "User:alice" in listed,
              "acl list: %s" % listed)
        denied = register(url, ca, auth=("bob", "bob-secret"))
        check(denied.status_code == 403 and denied.json().get("error_code") == 40301,
              "bob registering orders-value: %d %s" % (denied.status_code, denied.text))
        sid = check_confluent_client(url, ca)
        # A subject without ACLs stays open to every authenticated user.
        free = register(url, ca, auth=("bob", "bob-secret"), subject="free")
        check(free.status_code == 200, "bob registering free: %s" % free.text)
        subjects = requests.get(url + "/subjects", auth=("bob", "bob-secret"), verify=ca,
                                timeout=30).json()
        check(subjects == ["free"], "bob's /subjects: %s" % subjects)
        subjects = requests.get(url + "/subjects", auth=alice, verify=ca, timeout=30).json()
        check(sorted(subjects) == ["free", "orders-value"], "alice's /subjects: %s" % subjects)

        # mTLS: the certificate's CN=Alice maps to User:alice, no password needed.
        cert = (os.path.join(tmp, "alice.pem"), os.path.join(tmp, "alice.key"))
        by_cert = register(url, ca, cert=cert, subject="orders-key")
        check(by_cert.status_code == 200 and by_cert.json().get("id") == sid,
              "mTLS register: %d %s" % (by_cert.status_code, by_cert.text))
        try:
            requests.get(url + "/subjects", verify=ca, timeout=10,
                         cert=(os.path.join(tmp, "old.pem"), os.path.join(tmp, "old.key")))
            check(False, "an expired client certificate was accepted")
        except requests.exceptions.SSLError:
            pass
        except requests.exceptions.ConnectionError:
            pass

        # The audit log.
        wait_until(lambda: has_event(audit, event="authentication", success=True,
                                     principal="User:alice", mechanism="BASIC"),
                   10, "Basic authentication of alice audited")
        for want in (dict(event="authentication", success=False, principal="User:mallory",
                          mechanism="BASIC"),
                     dict(event="authentication", success=False, principal="User:alice",
                          mechanism="BASIC"),
                     dict(event="authentication", success=True, principal="User:alice",
                          mechanism="mTLS", listener="http"),
                     dict(event="authentication", success=False, mechanism="SSL",
                          listener="http"),
                     dict(event="denied", principal="User:bob",
                          resource="SUBJECT:orders-value", operation="WRITE")):
            check(has_event(audit, **want), "no audit line like %s in:\n%s"
                  % (want, "\n".join(json.dumps(e) for e in audit_lines(audit))))
    print("ok")


if __name__ == "__main__":
    main()
