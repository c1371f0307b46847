"""Authorized-operations bit sets, as Apache Kafka answers them while no ACL
restricts the principal. No Debian client asks for them (confluent-kafka
1.7.0 has no describe_cluster / include_authorized_operations, kafkajs 2.2.4
never sets the flags), so the requests are raw (encoded from Kafka's message
definitions) against a broker that also serves a real confluent-kafka group:
- Metadata v8-v12 with include_topic_authorized_operations: each topic's set
  is Kafka's TOPIC operations; v8-v10 with include_cluster_authorized_operations
  the cluster's CLUSTER operations; not asked: INT32_MIN.
- DescribeCluster v0-v1 with include_cluster_authorized_operations.
- DescribeGroups v3-v5 with include_authorized_operations for a Stable
  confluent-kafka consumer group and an unknown (Dead) group: GROUP
  operations.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import GROUP_TEST_CONFIG, Broker, check, create_topic, wait_until
from confluent_kafka import Consumer
from kafka_schema import SchemaConn

OPS = {3: "READ", 4: "WRITE", 5: "CREATE", 6: "DELETE", 7: "ALTER", 8: "DESCRIBE",
       9: "CLUSTER_ACTION", 10: "DESCRIBE_CONFIGS", 11: "ALTER_CONFIGS", 12: "IDEMPOTENT_WRITE",
       13: "CREATE_TOKENS", 14: "DESCRIBE_TOKENS"}
TOPIC_OPS = {"READ", "WRITE", "CREATE", "DESCRIBE", "DELETE", "ALTER", "DESCRIBE_CONFIGS",
             "ALTER_CONFIGS"}
CLUSTER_OPS = {"CREATE", "CLUSTER_ACTION", "DESCRIBE_CONFIGS", "ALTER_CONFIGS", "IDEMPOTENT_WRITE",
               "ALTER", "DESCRIBE"}
GROUP_OPS = {"READ", "DESCRIBE", "DELETE"}  # Kafka 3.9's GROUP operations
NOT_ASKED = -2147483648


def ops(bits):
    check(bits >= 0, "bit set %d" % bits)
    unknown = bits & ~sum(1 << c for c in OPS)
    check(unknown == 0, "unknown operation bits %x" % unknown)
    return {name for code, name in OPS.items() if bits & (1 << code)}


def check_metadata(conn, topics):
    for v in range(8, 13):
        ask = {"Topics": [{"Name": t} for t in topics], "AllowAutoTopicCreation": False,
               "IncludeTopicAuthorizedOperations": True}
        if v <= 10:
            ask["IncludeClusterAuthorizedOperations"] = True
        r = conn.call("Metadata", v, ask)
        check(sorted(t["Name"] for t in r["Topics"]) == sorted(topics), "Metadata v%d topics" % v)
        for t in r["Topics"]:
            check(ops(t["TopicAuthorizedOperations"]) == TOPIC_OPS,
                  "Metadata v%d topic %s: %s" % (v, t["Name"], ops(t["TopicAuthorizedOperations"])))
        if v <= 10:
            check(ops(r["ClusterAuthorizedOperations"]) == CLUSTER_OPS,
                  "Metadata v%d cluster: %s" % (v, ops(r["ClusterAuthorizedOperations"])))
        plain = conn.call("Metadata", v, {"Topics": [{"Name": topics[0]}],
                                          "AllowAutoTopicCreation": False})
        check(plain["Topics"][0]["TopicAuthorizedOperations"] == NOT_ASKED,
              "Metadata v%d not asked: %d" % (v, plain["Topics"][0]["TopicAuthorizedOperations"]))


def check_describe_cluster(conn):
    for v in (0, 1):
        ask = {"IncludeClusterAuthorizedOperations": True}
        if v >= 1:
            ask["EndpointType"] = 1
        r = conn.call("DescribeCluster", v, ask)
        check(r["ErrorCode"] == 0, "DescribeCluster v%d error %d" % (v, r["ErrorCode"]))
        check(ops(r["ClusterAuthorizedOperations"]) == CLUSTER_OPS,
              "DescribeCluster v%d: %s" % (v, ops(r["ClusterAuthorizedOperations"])))
        plain = conn.call("DescribeCluster", v, {"EndpointType": 1} if v else {})
        check(plain["ClusterAuthorizedOperations"] == NOT_ASKED, "DescribeCluster v%d not asked" % v)


def check_describe_groups(conn, group):
    for v in (3, 4, 5):
        r = conn.call("DescribeGroups", v, {"Groups": [group, "no-such-group"],
                                            "IncludeAuthorizedOperations": True})
        states = [g["GroupState"] for g in r["Groups"]]
        check(states == ["Stable", "Dead"], "DescribeGroups v%d states %s" % (v, states))
        for g in r["Groups"]:
            check(ops(g["AuthorizedOperations"]) == GROUP_OPS,
                  "DescribeGroups v%d %s: %s" % (v, g["GroupId"], ops(g["AuthorizedOperations"])))
        plain = conn.call("DescribeGroups", v, {"Groups": [group]})
        check(plain["Groups"][0]["AuthorizedOperations"] == NOT_ASKED,
              "DescribeGroups v%d not asked" % v)


def main():
    with Broker(config=GROUP_TEST_CONFIG) as b:
        create_topic(b.bootstrap, "ops-a", 2)
        create_topic(b.bootstrap, "ops-b", 1)
        consumer = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "ops-g",
                             "session.timeout.ms": 6000, "enable.auto.commit": False})
        consumer.subscribe(["ops-a"])
        wait_until(lambda: consumer.poll(0.1) is None and consumer.assignment(), 20,
                   "the consumer's assignment")
        conn = SchemaConn(b.port)
        check_metadata(conn, ["ops-a", "ops-b"])
        check_describe_cluster(conn)
        check_describe_groups(conn, "ops-g")
        conn.close()
        consumer.close()
    print("authorized operations: Metadata v8-v12, DescribeCluster v0-v1, DescribeGroups v3-v5")


if __name__ == "__main__":
    main()
