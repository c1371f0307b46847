"""Configs as Apache Kafka 3.9 accepts them, with confluent-kafka's
AdminClient (librdkafka 2.0.2; no incremental_alter_configs in
confluent-kafka 1.7.0, so IncrementalAlterConfigs is sent raw):

- topic_configs: a topic is created with configs Kafka still accepts that
  Spate ignores (message.format.version, preallocate,
  unclean.leader.election.enable, segment.jitter.ms, local.retention.ms,
  compression.zstd.level, ...) or honours only for old clients
  (message.downconversion.enable); DescribeConfigs shows each
  with its value (DYNAMIC_TOPIC_CONFIG) and every other Kafka 3.9 topic config
  with its default; AlterConfigs changes one; a bad value is refused.
- broker_alter: AlterConfigs on BROKER "0" sets log.retention.ms and
  log.cleaner.backoff.ms (DescribeConfigs: DYNAMIC_BROKER_CONFIG, the new
  values); on BROKER "" (cluster default) log.cleaner.dedupe.buffer.size
  (DYNAMIC_DEFAULT_BROKER_CONFIG; sent raw: confluent-kafka refuses the
  empty name); a read-only key (auto.create.topics.enable)
  is refused with INVALID_REQUEST "Cannot update these configs dynamically";
  raw IncrementalAlterConfigs SET/DELETE on the broker resource.
- restart: after a SIGTERM restart the dynamic values and sources are still
  described, and a topic created then gets the dynamic log.retention.ms.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from spate_broker import Broker, check, create_topic
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource
from kafka_schema import SchemaConn

# Every topic config Kafka 3.9's LogConfig defines.
KAFKA_39_TOPIC_CONFIGS = {
    "cleanup.policy", "compression.type", "compression.gzip.level", "compression.lz4.level",
    "compression.zstd.level", "delete.retention.ms", "file.delete.delay.ms", "flush.messages",
    "flush.ms", "follower.replication.throttled.replicas", "index.interval.bytes",
    "leader.replication.throttled.replicas", "local.retention.bytes", "local.retention.ms",
    "max.compaction.lag.ms", "max.message.bytes", "message.downconversion.enable",
    "message.format.version", "message.timestamp.after.max.ms", "message.timestamp.before.max.ms",
    "message.timestamp.difference.max.ms", "message.timestamp.type", "min.cleanable.dirty.ratio",
    "min.compaction.lag.ms", "min.insync.replicas", "preallocate", "remote.log.copy.disable",
    "remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes", "retention.ms",
    "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms",
    "unclean.leader.election.enable",
}
IGNORED = {
    "message.format.version": "2.8", "message.downconversion.enable": "false",
    "preallocate": "true", "unclean.leader.election.enable": "true", "segment.jitter.ms": "100",
    "local.retention.ms": "1000", "compression.zstd.level": "5",
    "message.timestamp.difference.max.ms": "60000",
    "leader.replication.throttled.replicas": "*",
}
INVALID_REQUEST = 42


def describe(admin, res):
    return list(admin.describe_configs([res]).values())[0].result(30)


def alter(admin, res):
    list(admin.alter_configs([res]).values())[0].result(30)


def case_topic_configs(admin):
    create_topic(admin_bootstrap, "cfg-t", 1, IGNORED)
    cfg = describe(admin, ConfigResource("topic", "cfg-t"))
    missing = KAFKA_39_TOPIC_CONFIGS - set(cfg)
    check(not missing, "topic configs Kafka 3.9 accepts but DescribeConfigs lacks: %s" % sorted(missing))
    for k, v in IGNORED.items():
        check(cfg[k].value == v and cfg[k].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value,
              "%s = %s (source %s), expected %s" % (k, cfg[k].value, cfg[k].source, v))
    check(cfg["remote.storage.enable"].value == "false" and cfg["remote.storage.enable"].is_default,
          "remote.storage.enable default")
    alter(admin, ConfigResource("topic", "cfg-t", set_config={"message.format.version": "3.0-IV1"}))
    check(describe(admin, ConfigResource("topic", "cfg-t"))["message.format.version"].value ==
          "3.0-IV1", "message.format.version after AlterConfigs")
    try:
        alter(admin, ConfigResource("topic", "cfg-t", set_config={"compression.gzip.level": "42"}))
        raise AssertionError("compression.gzip.level=42 accepted")
    except KafkaException as e:
        check("gzip" in str(e), "bad gzip level refused with %s" % e)


def broker_cfg(admin, name="0"):
    return describe(admin, ConfigResource("broker", name))


def case_broker_alter(admin, port):
    alter(admin, ConfigResource("broker", "0", set_config={
        "log.retention.ms": "3600000", "log.cleaner.backoff.ms": "2500"}))
    # The cluster-wide default (BROKER ""): confluent-kafka refuses an empty
    # resource name, so AlterConfigs is sent raw.
    c = SchemaConn(port)
    r = c.call("AlterConfigs", 1, {"Resources": [{
        "ResourceType": 4, "ResourceName": "",
        "Configs": [{"Name": "log.cleaner.dedupe.buffer.size", "Value": "2097152"}]}]})
    check(r["Responses"][0]["ErrorCode"] == 0, "AlterConfigs on BROKER '': %s" % r)
    check_dynamic(admin)
    try:
        alter(admin, ConfigResource("broker", "0", set_config={"auto.create.topics.enable": "false"}))
        raise AssertionError("read-only auto.create.topics.enable altered")
    except KafkaException as e:
        err = list(e.args)[0]
        check(err.code() == INVALID_REQUEST and "Cannot update these configs dynamically" in err.str(),
              "read-only key refused with %s" % err)
    # IncrementalAlterConfigs (raw): SET then DELETE of one key, the others kept.
    for op in (0, 1):
        r = c.call("IncrementalAlterConfigs", 1, {"Resources": [{
            "ResourceType": 4, "ResourceName": "0",
            "Configs": [{"Name": "log.segment.bytes", "ConfigOperation": op, "Value": "1048576"}]}]})
        check(r["Responses"][0]["ErrorCode"] == 0, "IncrementalAlterConfigs op %d: %s" % (op, r))
        seg = broker_cfg(admin)["log.segment.bytes"]
        want = ConfigSource.DYNAMIC_BROKER_CONFIG.value if op == 0 else ConfigSource.DEFAULT_CONFIG.value
        check(seg.source == want, "log.segment.bytes source %s after op %d" % (seg.source, op))
    r = c.call("IncrementalAlterConfigs", 1, {"Resources": [{
        "ResourceType": 4, "ResourceName": "0",
        "Configs": [{"Name": "node.id", "ConfigOperation": 0, "Value": "5"}]}]})
    check(r["Responses"][0]["ErrorCode"] == INVALID_REQUEST, "IncrementalAlterConfigs node.id: %s" % r)
    c.close()
    check_dynamic(admin)


def check_dynamic(admin):
    cfg = broker_cfg(admin)
    for k, v in (("log.retention.ms", "3600000"), ("log.cleaner.backoff.ms", "2500")):
        check(cfg[k].value == v and cfg[k].source == ConfigSource.DYNAMIC_BROKER_CONFIG.value,
              "%s = %s source %s" % (k, cfg[k].value, cfg[k].source))
    d = cfg["log.cleaner.dedupe.buffer.size"]
    check(d.value == "2097152" and d.source == ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.value,
          "log.cleaner.dedupe.buffer.size = %s source %s" % (d.value, d.source))


def main():
    global admin_bootstrap
    with Broker() as b:
        admin_bootstrap = b.bootstrap
        admin = AdminClient({"bootstrap.servers": b.bootstrap})
        case_topic_configs(admin)
        case_broker_alter(admin, b.port)
        b.restart()
        admin = AdminClient({"bootstrap.servers": b.bootstrap})
        check_dynamic(admin)
        create_topic(b.bootstrap, "cfg-after", 1)
        rt = describe(admin, ConfigResource("topic", "cfg-after"))["retention.ms"]
        check(rt.value == "3600000", "a new topic's retention.ms after the restart: %s" % rt.value)
    print("Kafka 3.9 topic configs accepted and described; dynamic broker configs altered, "
          "refused when read-only, kept across a restart")


if __name__ == "__main__":
    main()
