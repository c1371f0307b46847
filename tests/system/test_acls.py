"""ACLs with real clients as User:ANONYMOUS on a PLAINTEXT listener.

1. A broker with the default allow.everyone.if.no.acl.found=true: kafka-python's
   KafkaAdminClient.create_acls grants ANONYMOUS ALTER and DESCRIBE on the
   cluster (so it can keep managing ACLs once resources are closed), and
   `spate acl create` adds one more binding; describe_acls and `spate acl
   list` show them.
2. Restarted with allow.everyone.if.no.acl.found=false and an audit log: the
   ACLs survived; without topic ACLs confluent-kafka's produce fails with
   TOPIC_AUTHORIZATION_FAILED, kcat's metadata lists no topic, a consumer
   gets TOPIC_AUTHORIZATION_FAILED / GROUP_AUTHORIZATION_FAILED.
3. PREFIXED ALLOWs on the topics (WRITE, READ, CREATE) and the group
   (READ): produce and consume succeed, metadata lists the topic.
4. A LITERAL DENY READ on the topic wins over the ALLOW: the consumer is
   refused again; delete_acls removes it and reading works.
5. The audit log holds the denials (principal, host, resource, operation)
   and the ACL changes; a restart keeps the ACL set.
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, spate_cli, wait_until  # noqa: E402
from confluent_kafka import Consumer, KafkaError, Producer  # noqa: E402
from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType,  # noqa: E402
                         ACLResourcePatternType, KafkaAdminClient, ResourcePattern,
                         ResourcePatternFilter, ResourceType)

ANON = "User:ANONYMOUS"
TOPIC = "sec-orders"


def admin(broker):
    return KafkaAdminClient(bootstrap_servers=broker.bootstrap, client_id="acl-test",
                            request_timeout_ms=10000)


def bindings(broker):
    a = admin(broker)
    try:
        acls, err = a.describe_acls(ACLFilter(principal=None, host="*",
                                              operation=ACLOperation.ANY,
                                              permission_type=ACLPermissionType.ANY,
                                              resource_pattern=ResourcePatternFilter(
                                                  ResourceType.ANY, None,
                                                  ACLResourcePatternType.ANY)))
        check(err.errno == 0, "describe_acls: %s" % err)
        return {(x.resource_pattern.resource_type.name, x.resource_pattern.resource_name,
                 x.resource_pattern.pattern_type.name, x.principal, x.operation.name,
                 x.permission_type.name) for x in acls}
    finally:
        a.close()


def create(broker, *acls):
    a = admin(broker)
    try:
        r = a.create_acls(list(acls))
        check(not r["failed"], "create_acls failed: %s" % r["failed"])
    finally:
        a.close()


def produce_error(broker, topic, value=b"v"):
    """Produces one record; returns the delivery error code (None: delivered)."""
    p = Producer({"bootstrap.servers": broker.bootstrap, "message.timeout.ms": 5000,
                  "topic.metadata.refresh.interval.ms": 500})
    got = {}
    p.produce(topic, value, on_delivery=lambda e, m: got.setdefault("e", e))
    p.flush(15)
    check("e" in got, "no delivery report")
    return got["e"].code() if got["e"] else None


def consume_result(broker, topic, group):
    """('ok', values) once a record arrives, or ('error', code) on the first
    authorization error, within 15 s."""
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False,
                  "session.timeout.ms": 6000})
    c.subscribe([topic])
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() in (KafkaError.TOPIC_AUTHORIZATION_FAILED,
                                        KafkaError.GROUP_AUTHORIZATION_FAILED):
                    return ("error", m.error().code())
                continue
            return ("ok", m.value())
        return ("timeout", None)
    finally:
        c.close()


def kcat_topics(broker):
    out = subprocess.run(["kcat", "-b", broker.bootstrap, "-L", "-J"], capture_output=True,
                         text=True, timeout=30)
    check(out.returncode == 0, "kcat -L: %s" % out.stderr)
    return {t["topic"] for t in json.loads(out.stdout)["topics"]}


def audit_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    first = Broker()
    data_dir = first.data_dir
    audit = os.path.join(first._own_tmp, "audit.log")
    try:
        # 1. Open broker: grant ANONYMOUS the cluster rights ACL management needs.
        first.start()
        cluster = ResourcePattern(ResourceType.CLUSTER, "kafka-cluster")
        create(first,
               ACL(ANON, "*", ACLOperation.ALTER, ACLPermissionType.ALLOW, cluster),
               ACL(ANON, "*", ACLOperation.DESCRIBE, ACLPermissionType.ALLOW, cluster))
        spate_cli(first, "acl", "create", "--allow-principal", ANON, "--operation", "Describe",
                  "--cluster")  # a repeat: no new binding
        spate_cli(first, "acl", "add", "--allow-principal", "User:bob", "--operation", "Read",
                  "--topic", "other")
        listed = spate_cli(first, "acl", "list")
        check("name=other, patternType=LITERAL" in listed and "principal=User:bob" in listed,
              "spate acl list:\n" + listed)
        before = bindings(first)
        check(("CLUSTER", "kafka-cluster", "LITERAL", ANON, "ALTER", "ALLOW") in before and
              ("TOPIC", "other", "LITERAL", "User:bob", "READ", "ALLOW") in before and
              len(before) == 3, "ACLs: %s" % before)
        first.stop()

        # 2. Closed broker on the same data: ACLs survived, nothing else allowed.
        closed = Broker(data_dir=data_dir, config={"allow.everyone.if.no.acl.found": "false",
                                                   "spate.audit.log.file": audit})
        try:
            closed.start()
            check(bindings(closed) == before, "ACLs after the restart: %s" % bindings(closed))
            code = produce_error(closed, TOPIC)
            check(code == KafkaError.TOPIC_AUTHORIZATION_FAILED,
                  "produce without ACLs: %s" % code)
            check(TOPIC not in kcat_topics(closed), "metadata lists an undescribable topic")
            state, code = consume_result(closed, TOPIC, "sec-app")
            check(state == "error", "consume without ACLs: %s %s" % (state, code))

            # 3. PREFIXED ALLOWs on topic and group.
            topics = ResourcePattern(ResourceType.TOPIC, "sec-", ACLResourcePatternType.PREFIXED)
            groups = ResourcePattern(ResourceType.GROUP, "sec-", ACLResourcePatternType.PREFIXED)
            create(closed, *[ACL(ANON, "*", op, ACLPermissionType.ALLOW, topics)
                             for op in (ACLOperation.WRITE, ACLOperation.READ,
                                        ACLOperation.CREATE)],
                   ACL(ANON, "*", ACLOperation.READ, ACLPermissionType.ALLOW, groups))
            code = produce_error(closed, TOPIC, b"hello")
            check(code is None, "produce with ACLs: %s" % code)
            check(TOPIC in kcat_topics(closed), "metadata hides a describable topic")
            check(consume_result(closed, TOPIC, "sec-app") == ("ok", b"hello"),
                  "consume with ACLs")

            # 4. DENY wins; removing it restores access.
            literal = ResourcePattern(ResourceType.TOPIC, TOPIC)
            create(closed, ACL(ANON, "*", ACLOperation.READ, ACLPermissionType.DENY, literal))
            state, code = consume_result(closed, TOPIC, "sec-app2")
            check((state, code) == ("error", KafkaError.TOPIC_AUTHORIZATION_FAILED),
                  "consume with a DENY: %s %s" % (state, code))
            a = admin(closed)
            try:
                deleted = a.delete_acls([ACLFilter(
                    principal=ANON, host="*", operation=ACLOperation.READ,
                    permission_type=ACLPermissionType.DENY,
                    resource_pattern=ResourcePatternFilter(ResourceType.TOPIC, TOPIC,
                                                           ACLResourcePatternType.LITERAL))])
                check(len(deleted) == 1 and len(deleted[0][1]) == 1 and deleted[0][2].errno == 0,
                      "delete_acls: %s" % deleted)
            finally:
                a.close()
            check(consume_result(closed, TOPIC, "sec-app3") == ("ok", b"hello"),
                  "consume after the DENY was removed")

            # 5. Audit log and a second restart.
            lines = audit_lines(audit)
            denied = [x for x in lines if x["event"] == "denied"]
            check(any(x["principal"] == ANON and x["resource"] == "TOPIC:" + TOPIC and
                      x["operation"] in ("DESCRIBE", "WRITE") and x["host"] == "127.0.0.1"
                      for x in denied),
                  "no denied produce in the audit log: %s" % denied[:5])
            check(any(x["resource"] == "TOPIC:" + TOPIC and x["operation"] == "READ"
                      for x in denied), "no denied READ in the audit log")
            changes = [x for x in lines if x["event"] == "acl_change"]
            check(len(changes) >= 6 and all(x["principal"] == ANON for x in changes),
                  "ACL changes in the audit log: %s" % changes)
            after = bindings(closed)
            closed.restart()
            check(bindings(closed) == after, "ACLs after the second restart")
        finally:
            closed.cleanup()
    finally:
        first.cleanup()
    print("test_acls: ok")


if __name__ == "__main__":
    main()
