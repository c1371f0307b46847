"""The authorization matrix with principals from real SASL logins.

One broker with a single SASL_PLAINTEXT listener (SCRAM-SHA-512 and PLAIN),
allow.everyone.if.no.acl.found=false, super.users=User:admin and an audit
log; users admin, alice and bob created offline with `spate user create
--data-dir` before the first start (the credential store). Every client
logs in for real: confluent-kafka (librdkafka) with SCRAM-SHA-512, and
kafka-python with SCRAM-SHA-512 or PLAIN.

1. The super user admin, without any ACL, creates topics, produces and
   manages ACLs.
2. alice without ACLs gets Kafka's errors and changes nothing: producing
   TOPIC_AUTHORIZATION_FAILED (Metadata refuses DESCRIBE; the log end
   stays), a consumer TOPIC_ or GROUP_AUTHORIZATION_FAILED, FindCoordinator / OffsetFetch / DeleteGroups
   GROUP_AUTHORIZATION_FAILED, CreateTopics / DeleteTopics /
   DescribeConfigs TOPIC_AUTHORIZATION_FAILED (no topic appears or
   disappears), CreateAcls / DescribeAcls CLUSTER_AUTHORIZATION_FAILED (no
   ACL appears).
3. PREFIXED ALLOWs on `sasl-` topics and groups (and DESCRIBE on the
   cluster) granted by admin: the same calls succeed. On a topic outside
   the prefix alice may only DESCRIBE: Produce and Fetch themselves refuse
   with TOPIC_AUTHORIZATION_FAILED and append nothing.
4. DENY beats ALLOW: a LITERAL DENY WRITE on one topic refuses alice's
   produce there while the PREFIXED ALLOW still admits the others; bob,
   whom the ACLs do not name, is refused everything.
5. The audit log holds the SCRAM logins and the denials with the
   authenticated principal (User:alice, User:bob), the listener, host,
   resource and operation; none for the super user.
"""

import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
from spate_broker import Broker, check, in_temp_dir, wait_until  # noqa: E402
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402
from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType,  # noqa: E402
                         ACLResourcePatternType, ConfigResource, ConfigResourceType,
                         KafkaAdminClient, NewTopic, ResourcePattern, ResourcePatternFilter,
                         ResourceType)

BIN = os.environ.get("SPATE_BIN", "build/spate")
USERS = {"admin": "admin-secret", "alice": "alice-secret", "bob": "bob-secret"}
ORDERS = "sasl-orders"
AUDIT_TOPIC = "sasl-audit"
OUTSIDE = "other-orders"
TOPIC_DENIED = KafkaError.TOPIC_AUTHORIZATION_FAILED  # 29
GROUP_DENIED = KafkaError.GROUP_AUTHORIZATION_FAILED  # 30
CLUSTER_DENIED = KafkaError.CLUSTER_AUTHORIZATION_FAILED  # 31
NODE = 0  # the broker's node id: group calls sent straight to it skip FindCoordinator


def rdkafka(broker, user, **extra):
    conf = {"bootstrap.servers": broker.bootstrap, "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": user,
            "sasl.password": USERS[user]}
    conf.update(extra)
    return conf


def admin_client(broker, user, mechanism="SCRAM-SHA-512"):
    return KafkaAdminClient(bootstrap_servers=broker.bootstrap, client_id="acl-sasl-" + user,
                            security_protocol="SASL_PLAINTEXT", sasl_mechanism=mechanism,
                            sasl_plain_username=user, sasl_plain_password=USERS[user],
                            request_timeout_ms=10000)


def produce(broker, user, topic, value=b"v"):
    """Produces one record as `user`; the delivery error code (None: delivered)."""
    p = Producer(rdkafka(broker, user, **{"message.timeout.ms": 5000,
                                          "topic.metadata.refresh.interval.ms": 500}))
    got = {}
    p.produce(topic, value, on_delivery=lambda e, m: got.setdefault("e", e))
    p.flush(15)
    check("e" in got, "no delivery report for %s's produce to %s" % (user, topic))
    return got["e"].code() if got["e"] else None


def consume(broker, user, topic, group):
    """('ok', value) of the first record a subscribed consumer of `group`
    gets, or ('error', code) on its first authorization error, as `user`."""
    c = Consumer(rdkafka(broker, user, **{"group.id": group, "auto.offset.reset": "earliest",
                                          "enable.auto.commit": False}))
    c.subscribe([topic])
    try:
        def first():
            m = c.poll(0.2)
            if m is None:
                return None
            if not m.error():
                return ("ok", m.value())
            code = m.error().code()
            return ("error", code) if code in (TOPIC_DENIED, GROUP_DENIED) else None
        return wait_until(first, 15, "%s consuming %s" % (user, topic), interval=0)
    finally:
        c.close()


def log_end(broker, topic):
    """The high watermark of partition 0, read as the super user."""
    c = Consumer(rdkafka(broker, "admin", **{"group.id": "unused"}))
    try:
        return c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1]
    finally:
        c.close()


def topics(broker):
    c = Consumer(rdkafka(broker, "admin", **{"group.id": "unused"}))
    try:
        return set(c.list_topics(timeout=10).topics)
    finally:
        c.close()


def acl_count(a):
    acls, err = a.describe_acls(ACLFilter(
        principal=None, host="*", operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None,
                                               ACLResourcePatternType.ANY)))
    check(err.errno == 0, "describe_acls: %s" % err)
    return len(acls)


def raises(code, fn, what):
    """fn() raises a kafka-python error with Kafka error code `code`."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - kafka-python raises per-code classes
        check(getattr(e, "errno", None) == code, "%s raised %r, want code %d" % (what, e, code))
        return
    raise AssertionError("%s succeeded, want error %d" % (what, code))


def topic_error(response):
    """The single topic error code of a CreateTopics / DeleteTopics response."""
    errors = getattr(response, "topic_errors", None) or response.topic_error_codes
    check(len(errors) == 1, "one topic in %s" % (response,))
    return errors[0][1]


def describe_configs_error(a, topic):
    r = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    return r[0].resources[0][0]


def alice_denied_everything(b, alice):
    """Step 2: every kind of API refused with Kafka's code, nothing changed."""
    end = log_end(b, ORDERS)
    check(produce(b, "alice", ORDERS) == TOPIC_DENIED, "alice's produce was not refused")
    check(log_end(b, ORDERS) == end, "a refused produce changed the log")
    state, code = consume(b, "alice", ORDERS, "sasl-app")
    check(state == "error" and code in (TOPIC_DENIED, GROUP_DENIED),
          "alice's consumer was not refused: %s %s" % (state, code))
    raises(GROUP_DENIED, lambda: alice.list_consumer_group_offsets("sasl-app"),
           "alice's FindCoordinator")
    raises(GROUP_DENIED, lambda: alice.list_consumer_group_offsets("sasl-app", NODE),
           "alice's OffsetFetch")
    r = alice.delete_consumer_groups(["sasl-app"], NODE)
    check(len(r) == 1 and r[0][1].errno == GROUP_DENIED, "alice's DeleteGroups: %s" % r)
    raises(TOPIC_DENIED, lambda: alice.create_topics([NewTopic("sasl-new", 1, 1)], 5000),
           "alice's CreateTopics")
    raises(TOPIC_DENIED, lambda: alice.delete_topics([ORDERS], 5000), "alice's DeleteTopics")
    check(describe_configs_error(alice, ORDERS) == TOPIC_DENIED, "alice's DescribeConfigs")
    present = topics(b)
    check(ORDERS in present and "sasl-new" not in present, "refused admin calls: %s" % present)
    r = alice.create_acls([ACL("User:alice", "*", ACLOperation.ALL, ACLPermissionType.ALLOW,
                               ResourcePattern(ResourceType.TOPIC, "*"))])
    check(len(r["failed"]) == 1 and r["failed"][0][1].errno == CLUSTER_DENIED,
          "alice's CreateAcls: %s" % r)
    raises(CLUSTER_DENIED, lambda: acl_count(alice), "alice's DescribeAcls")


def grant(admin, *acls):
    r = admin.create_acls(list(acls))
    check(not r["failed"], "create_acls as admin: %s" % r["failed"])


def super_user_passes(b, admin):
    """Step 1: the super user needs no ACL."""
    for t in (ORDERS, AUDIT_TOPIC, OUTSIDE):
        r = admin.create_topics([NewTopic(t, 1, 1)], timeout_ms=5000)
        check(topic_error(r) == 0, "admin's CreateTopics %s: %s" % (t, r))
    check(produce(b, "admin", ORDERS, b"first") is None, "admin's produce")
    check(consume(b, "admin", ORDERS, "admin-app") == ("ok", b"first"), "admin's consume")
    check(acl_count(admin) == 0, "ACLs before any grant")


def prefixed_grants_admit(b, admin, alice):
    """Step 3: PREFIXED ALLOWs admit alice inside the prefix only."""
    prefix_topics = ResourcePattern(ResourceType.TOPIC, "sasl-", ACLResourcePatternType.PREFIXED)
    prefix_groups = ResourcePattern(ResourceType.GROUP, "sasl-", ACLResourcePatternType.PREFIXED)
    grant(admin, *[ACL("User:alice", "*", op, ACLPermissionType.ALLOW, prefix_topics)
                   for op in (ACLOperation.WRITE, ACLOperation.READ, ACLOperation.CREATE,
                              ACLOperation.DESCRIBE_CONFIGS)],
          ACL("User:alice", "*", ACLOperation.READ, ACLPermissionType.ALLOW, prefix_groups),
          ACL("User:alice", "*", ACLOperation.DESCRIBE, ACLPermissionType.ALLOW,
              ResourcePattern(ResourceType.CLUSTER, "kafka-cluster")),
          ACL("User:alice", "*", ACLOperation.DESCRIBE, ACLPermissionType.ALLOW,
              ResourcePattern(ResourceType.TOPIC, OUTSIDE)))
    end = log_end(b, ORDERS)
    check(produce(b, "alice", ORDERS, b"second") is None, "alice's produce with the ACLs")
    check(log_end(b, ORDERS) == end + 1, "alice's produce did not append")
    check(consume(b, "alice", ORDERS, "sasl-app") == ("ok", b"first"),
          "alice's consume with the ACLs")
    check(alice.list_consumer_group_offsets("sasl-app") == {}, "alice's OffsetFetch")
    r = alice.create_topics([NewTopic("sasl-new", 1, 1)], timeout_ms=5000)
    check(topic_error(r) == 0, "alice's CreateTopics with CREATE: %s" % (r,))
    check(describe_configs_error(alice, ORDERS) == 0, "alice's DescribeConfigs")
    check(acl_count(alice) == 7, "alice's DescribeAcls with DESCRIBE on the cluster")
    # Outside the prefix alice may only describe: Produce and Fetch refuse.
    end = log_end(b, OUTSIDE)
    check(produce(b, "alice", OUTSIDE) == TOPIC_DENIED, "produce outside the prefix")
    check(log_end(b, OUTSIDE) == end, "a refused produce changed the log")
    check(consume(b, "alice", OUTSIDE, "sasl-app") == ("error", TOPIC_DENIED),
          "fetch outside the prefix")
    raises(GROUP_DENIED, lambda: alice.list_consumer_group_offsets("other-app"),
           "a group outside the prefix")


def deny_beats_allow(b, admin):
    """Step 4: a LITERAL DENY over the PREFIXED ALLOW; bob is named nowhere."""
    grant(admin, ACL("User:alice", "*", ACLOperation.WRITE, ACLPermissionType.DENY,
                     ResourcePattern(ResourceType.TOPIC, ORDERS)))
    end = log_end(b, ORDERS)
    check(produce(b, "alice", ORDERS) == TOPIC_DENIED, "DENY did not beat the ALLOW")
    check(log_end(b, ORDERS) == end, "a denied produce changed the log")
    check(produce(b, "alice", AUDIT_TOPIC) is None, "the DENY reached another topic")
    check(produce(b, "bob", ORDERS) == TOPIC_DENIED, "bob's produce")
    bob = admin_client(b, "bob")
    try:
        raises(CLUSTER_DENIED, lambda: acl_count(bob), "bob's DescribeAcls")
    finally:
        bob.close()


# Step 5: (principal, resource, operation) the audit log must hold as denials.
DENIALS = (("User:alice", "TOPIC:" + ORDERS, "DESCRIBE"),  # Metadata
           ("User:alice", "GROUP:sasl-app", "DESCRIBE"),  # FindCoordinator, OffsetFetch
           ("User:alice", "GROUP:sasl-app", "DELETE"),
           ("User:alice", "TOPIC:sasl-new", "CREATE"),
           ("User:alice", "TOPIC:" + ORDERS, "DELETE"),
           ("User:alice", "TOPIC:" + ORDERS, "DESCRIBE_CONFIGS"),
           ("User:alice", "CLUSTER:kafka-cluster", "ALTER"),  # CreateAcls
           ("User:alice", "CLUSTER:kafka-cluster", "DESCRIBE"),  # DescribeAcls
           ("User:alice", "TOPIC:" + OUTSIDE, "WRITE"),  # Produce
           ("User:alice", "TOPIC:" + OUTSIDE, "READ"),  # Fetch
           ("User:alice", "TOPIC:" + ORDERS, "WRITE"),  # the DENY
           ("User:bob", "TOPIC:" + ORDERS, "DESCRIBE"),
           ("User:bob", "CLUSTER:kafka-cluster", "DESCRIBE"))


def check_audit(audit):
    with open(audit) as f:
        lines = [json.loads(x) for x in f if x.strip()]
    logins = {(x["principal"], x.get("mechanism")) for x in lines
              if x["event"] == "authentication" and x.get("success")}
    check({("User:alice", "SCRAM-SHA-512"), ("User:alice", "PLAIN"),
           ("User:admin", "SCRAM-SHA-512"), ("User:bob", "SCRAM-SHA-512")} <= logins,
          "logins in the audit log: %s" % logins)
    denied = [x for x in lines if x["event"] == "denied"]

    def seen(principal, resource, operation):
        return any(x["principal"] == principal and x["resource"] == resource and
                   x["operation"] == operation and x["listener"] == "SASL_PLAINTEXT" and
                   x["host"] == "127.0.0.1" for x in denied)
    for want in DENIALS:
        check(seen(*want), "no denial %s in the audit log:\n%s"
              % (want, "\n".join(json.dumps(x) for x in denied)))
    check(not any(x["principal"] == "User:admin" for x in denied),
          "the super user was denied something")


def run(tmp):
    data = os.path.join(tmp, "data")
    audit = os.path.join(tmp, "audit.log")
    for user, pw in USERS.items():
        subprocess.run([BIN, "user", "create", user, "--password", pw, "--mechanism",
                        "SCRAM-SHA-512", "--data-dir", data], check=True, capture_output=True)
    config = {"listeners": "SASL_PLAINTEXT://127.0.0.1:0",
              "sasl.enabled.mechanisms": "SCRAM-SHA-512,PLAIN",
              "allow.everyone.if.no.acl.found": "false",
              "super.users": "User:admin",
              "spate.audit.log.file": audit,
              "group.initial.rebalance.delay.ms": "0"}
    with Broker(data_dir=data, config=config) as b:
        admin = admin_client(b, "admin")
        alice = admin_client(b, "alice", "PLAIN")  # PLAIN for alice's admin calls
        try:
            super_user_passes(b, admin)
            alice_denied_everything(b, alice)
            check(acl_count(admin) == 0, "a refused CreateAcls stored an ACL")
            prefixed_grants_admit(b, admin, alice)
            deny_beats_allow(b, admin)
        finally:
            admin.close()
            alice.close()
    check_audit(audit)


def main():
    in_temp_dir("spate-acl-sasl-", run)
    print("test_acls_sasl: ok")


if __name__ == "__main__":
    main()
