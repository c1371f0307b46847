"""DescribeConfigs on the BROKER resource through confluent-kafka's and
kafka-python's AdminClient: the broker reports exactly the keys of its
configuration table (docs/configuration.md, which a unit test keeps equal to
the table), with the values and sources the --config file gave it."""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
from spate_broker import Broker, check
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource
from kafka.admin import ConfigResource as KpResource, ConfigResourceType, KafkaAdminClient

DOC = os.path.join(HERE, "..", "..", "docs", "configuration.md")
CONFIG = {"num.partitions": "3", "log.retention.ms": "3600000", "log.cleaner.backoff.ms": "200"}


def table_keys():
    """Key -> (default, dynamic) from the broker keys table of the doc."""
    keys = {}
    section = None
    with open(DOC) as f:
        for line in f:
            if line.startswith("## "):
                section = line.strip()
            m = re.match(r"\| `([^`]+)` \| (\w+) \| (.*?) \| .*? \| (yes|no) \|", line)
            if section == "## Broker keys" and m:
                keys[m.group(1)] = (m.group(3), m.group(4) == "yes")
    return keys


def check_confluent(b, keys):
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    res = admin.describe_configs([ConfigResource("broker", "0")])
    for _, f in res.items():
        cfg = f.result(30)
        check(set(cfg) == set(keys), "confluent-kafka: keys differ from the table: extra %s, missing %s"
              % (sorted(set(cfg) - set(keys)), sorted(set(keys) - set(cfg))))
        for k, v in CONFIG.items():
            check(cfg[k].value == v, "%s = %s, expected %s" % (k, cfg[k].value, v))
            check(cfg[k].source == ConfigSource.STATIC_BROKER_CONFIG.value,
                  "%s source %s" % (k, cfg[k].source))
        ac = cfg["auto.create.topics.enable"]
        check(ac.value == "true" and ac.is_default, "auto.create.topics.enable %s" % ac)
        check(ac.source == ConfigSource.DEFAULT_CONFIG.value, "auto.create.topics.enable source")
        for k, (_, dynamic) in keys.items():
            check(cfg[k].is_read_only == (not dynamic), "%s read-only flag %s" % (k, cfg[k].is_read_only))


def check_kafka_python(b, keys):
    admin = KafkaAdminClient(bootstrap_servers=b.bootstrap)
    try:
        resp = admin.describe_configs([KpResource(ConfigResourceType.BROKER, "0")])
        results = resp[0].resources
        check(len(results) == 1 and results[0][0] == 0, "kafka-python: error %s" % (results,))
        entries = {e[0]: e[1] for e in results[0][4]}
        check(set(entries) == set(keys), "kafka-python: keys differ from the table: extra %s, missing %s"
              % (sorted(set(entries) - set(keys)), sorted(set(keys) - set(entries))))
        check(entries["num.partitions"] == "3", "kafka-python: num.partitions %s" % entries["num.partitions"])
    finally:
        admin.close()


def main():
    keys = table_keys()
    check(len(keys) > 40 and "num.partitions" in keys and "log.retention.ms" in keys,
          "broker keys table not found in %s" % DOC)
    with Broker(config=CONFIG) as b:
        check_confluent(b, keys)
        check_kafka_python(b, keys)
        b.stop()
    print("ok")


if __name__ == "__main__":
    main()
