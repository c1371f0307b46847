#include <gtest/gtest.h>

#include <algorithm>

#include "kafka/client/config.h"
#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"

namespace spate::kafka::client {
namespace config_test {
namespace {

// The last value of `key` (librdkafka applies properties in order).
std::string value_of(const property_list& p, const std::string& key) {
    std::string v = "<unset>";
    for (const auto& [k, val] : p)
        if (k == key) v = val;
    return v;
}

TEST(base_properties, bootstrap_client_id_then_extra_properties) {
    client_config c;
    c.bootstrap = "h:1,h:2";
    c.client_id = "tool";
    c.properties = {{"allow.auto.create.topics", "true"}, {"debug", "cgrp"}};
    auto p = base_properties(c);
    EXPECT_EQ(value_of(p, "bootstrap.servers"), "h:1,h:2");
    EXPECT_EQ(value_of(p, "client.id"), "tool");
    EXPECT_EQ(value_of(p, "debug"), "cgrp");
    // The caller's properties come last and so override the module's.
    EXPECT_EQ(value_of(p, "allow.auto.create.topics"), "true");
}

TEST(producer_properties, plain_defaults) {
    producer_options o;
    auto p = producer_properties(o);
    EXPECT_EQ(value_of(p, "acks"), "all");
    EXPECT_EQ(value_of(p, "compression.codec"), "none");
    EXPECT_EQ(value_of(p, "linger.ms"), "5");
    EXPECT_EQ(value_of(p, "enable.idempotence"), "<unset>");
    EXPECT_EQ(value_of(p, "transactional.id"), "<unset>");
    EXPECT_EQ(value_of(p, "batch.size"), "<unset>");
}

TEST(producer_properties, tuning_and_idempotence) {
    producer_options o;
    o.acks = acks::leader;
    o.compression = compression::zstd;
    o.batch_bytes = 1000000;
    o.batch_records = 1;
    o.queue_max_records = 7;
    o.queue_max_kbytes = 1024;
    o.idempotent = true;
    auto p = producer_properties(o);
    EXPECT_EQ(value_of(p, "acks"), "1");
    EXPECT_EQ(value_of(p, "compression.codec"), "zstd");
    EXPECT_EQ(value_of(p, "batch.size"), "1000000");
    EXPECT_EQ(value_of(p, "batch.num.messages"), "1");
    EXPECT_EQ(value_of(p, "queue.buffering.max.messages"), "7");
    EXPECT_EQ(value_of(p, "queue.buffering.max.kbytes"), "1024");
    EXPECT_EQ(value_of(p, "enable.idempotence"), "true");
}

TEST(producer_properties, transactional_id_implies_idempotence) {
    producer_options o;
    o.acks = acks::none;
    o.transactional_id = "tx-1";
    auto p = producer_properties(o);
    EXPECT_EQ(value_of(p, "transactional.id"), "tx-1");
    EXPECT_EQ(value_of(p, "message.timeout.ms"), "30000");
    o.delivery_timeout_ms.reset();
    EXPECT_EQ(value_of(producer_properties(o), "message.timeout.ms"), "<unset>");
    EXPECT_EQ(value_of(p, "enable.idempotence"), "true");
    EXPECT_EQ(value_of(p, "acks"), "0");
}

TEST(consumer_properties, read_committed_manual_commits_by_default) {
    consumer_options o;
    auto p = consumer_properties(o);
    EXPECT_EQ(value_of(p, "isolation.level"), "read_committed");
    EXPECT_EQ(value_of(p, "enable.auto.commit"), "false");
    EXPECT_EQ(value_of(p, "enable.auto.offset.store"), "false");
    EXPECT_EQ(value_of(p, "auto.offset.reset"), "latest");
    EXPECT_EQ(value_of(p, "partition.assignment.strategy"), "<unset>");
}

TEST(consumer_properties, group_options) {
    consumer_options o;
    o.group_id = "g";
    o.isolation = isolation::read_uncommitted;
    o.reset = offset_reset::error;
    o.auto_commit = true;
    o.heartbeat_ms = 500;
    o.session_timeout_ms = 6000;
    o.assignment_strategy = "roundrobin";
    auto p = consumer_properties(o);
    EXPECT_EQ(value_of(p, "group.id"), "g");
    EXPECT_EQ(value_of(p, "isolation.level"), "read_uncommitted");
    EXPECT_EQ(value_of(p, "auto.offset.reset"), "error");
    EXPECT_EQ(value_of(p, "enable.auto.commit"), "true");
    EXPECT_EQ(value_of(p, "heartbeat.interval.ms"), "500");
    EXPECT_EQ(value_of(p, "session.timeout.ms"), "6000");
    EXPECT_EQ(value_of(p, "partition.assignment.strategy"), "roundrobin");
}

TEST(producer_create, bad_property_names_it) {
    producer_options o;
    o.client.properties = {{"no.such.property", "1"}};
    auto p = producer::create(o);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.err().code, errc::invalid_argument);
    EXPECT_NE(p.err().message.find("no.such.property"), std::string::npos);
}

TEST(consumer_create, bad_value_names_the_property) {
    consumer_options o;
    o.client.properties = {{"fetch.wait.max.ms", "soon"}};
    auto c = consumer::create(o);
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.err().message.find("fetch.wait.max.ms"), std::string::npos);
}

}  // namespace
}  // namespace config_test
}  // namespace spate::kafka::client
