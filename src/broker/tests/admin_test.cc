// Topic administration and configs.

#include <gtest/gtest.h>

#include "broker/config_keys.h"
#include "broker/tests/test_client.h"
#include "kafka/protocol/generated/alter_configs_request.h"
#include "kafka/protocol/generated/alter_configs_response.h"
#include "kafka/protocol/generated/create_partitions_request.h"
#include "kafka/protocol/generated/create_partitions_response.h"
#include "kafka/protocol/generated/create_topics_request.h"
#include "kafka/protocol/generated/create_topics_response.h"
#include "kafka/protocol/generated/delete_topics_request.h"
#include "kafka/protocol/generated/delete_topics_response.h"
#include "kafka/protocol/generated/describe_cluster_request.h"
#include "kafka/protocol/generated/describe_cluster_response.h"
#include "kafka/protocol/generated/describe_configs_request.h"
#include "kafka/protocol/generated/describe_configs_response.h"
#include "kafka/protocol/generated/describe_log_dirs_request.h"
#include "kafka/protocol/generated/describe_log_dirs_response.h"
#include "kafka/protocol/generated/incremental_alter_configs_request.h"
#include "kafka/protocol/generated/incremental_alter_configs_response.h"
#include "kafka/protocol/generated/offset_for_leader_epoch_request.h"
#include "kafka/protocol/generated/offset_for_leader_epoch_response.h"

namespace spate::broker::test {
namespace admin_test {
namespace {

using namespace kafka::protocol;

create_topics_request::creatable_topic topic(const std::string& name, int32_t parts = 1,
                                             int16_t rf = -1) {
    create_topics_request::creatable_topic t;
    t.name = name;
    t.num_partitions = parts;
    t.replication_factor = rf;
    return t;
}

TEST(admin, create_topics_and_errors) {
    broker_config cfg;
    cfg.num_partitions = 3;
    test_broker tb(cfg);
    test_client c(tb.port());
    create_topics_request req;
    req.topics.push_back(topic("a", 2, 1));
    req.topics.push_back(topic("b", -1));
    auto withcfg = topic("c");
    withcfg.configs.push_back({"retention.ms", "1000"});
    req.topics.push_back(withcfg);
    req.topics.push_back(topic("bad/name"));
    req.topics.push_back(topic("d", 1, 3));
    req.topics.push_back(topic("e", 0));
    auto badcfg = topic("f");
    badcfg.configs.push_back({"retention.ms", "soon"});
    req.topics.push_back(badcfg);
    auto unknowncfg = topic("g");
    unknowncfg.configs.push_back({"no.such.config", "1"});
    req.topics.push_back(unknowncfg);
    auto r = c.call<create_topics_response>(req, 7);
    ASSERT_EQ(r.topics.size(), 8u);
    EXPECT_EQ(r.topics[0].error_code, 0);
    EXPECT_EQ(r.topics[0].num_partitions, 2);
    EXPECT_EQ(r.topics[0].replication_factor, 1);
    EXPECT_EQ(r.topics[0].topic_id, to_uuid(tb.logs().describe("a")->id));
    EXPECT_EQ(r.topics[1].error_code, 0);
    EXPECT_EQ(tb.logs().describe("b")->partitions, 3);
    EXPECT_EQ(r.topics[2].error_code, 0);
    bool found = false;
    for (const auto& cf : *r.topics[2].configs)
        if (cf.name == "retention.ms") {
            found = true;
            EXPECT_EQ(cf.value, "1000");
            EXPECT_EQ(cf.config_source, 1);
        }
    EXPECT_TRUE(found);
    EXPECT_EQ(r.topics[3].error_code, 17);
    EXPECT_EQ(r.topics[4].error_code, 38);
    EXPECT_EQ(r.topics[5].error_code, 37);
    EXPECT_EQ(r.topics[6].error_code, 40);
    EXPECT_EQ(r.topics[7].error_code, 40);
    EXPECT_FALSE(tb.logs().describe("f"));

    // Again: already exists; validate_only creates nothing.
    create_topics_request again;
    again.topics.push_back(topic("a"));
    again.topics.push_back(topic("vo"));
    again.validate_only = true;
    auto r2 = c.call<create_topics_response>(again, 4);
    EXPECT_EQ(r2.topics[0].error_code, 36);
    EXPECT_EQ(r2.topics[1].error_code, 0);
    EXPECT_FALSE(tb.logs().describe("vo"));
}

TEST(admin, delete_topics_by_name_and_id_and_create_partitions) {
    test_broker tb;
    test_client c(tb.port());
    ASSERT_TRUE(tb.logs().create_topic("x", 1, {}).ok());
    ASSERT_TRUE(tb.logs().create_topic("y", 1, {}).ok());

    create_partitions_request cp;
    cp.topics.push_back({"x", 4, std::nullopt});
    cp.topics.push_back({"y", 1, std::nullopt});
    cp.topics.push_back({"zz", 2, std::nullopt});
    auto cpr = c.call<create_partitions_response>(cp, 3);
    EXPECT_EQ(cpr.results[0].error_code, 0);
    EXPECT_EQ(cpr.results[1].error_code, 37);
    EXPECT_EQ(cpr.results[2].error_code, 3);
    EXPECT_EQ(tb.logs().describe("x")->partitions, 4);

    delete_topics_request by_name;
    by_name.topic_names = {"x", "nope"};
    auto r = c.call<delete_topics_response>(by_name, 5);
    EXPECT_EQ(r.responses[0].error_code, 0);
    EXPECT_EQ(r.responses[1].error_code, 3);
    delete_topics_request by_id;
    by_id.topics.push_back({std::nullopt, to_uuid(tb.logs().describe("y")->id)});
    by_id.topics.push_back({std::nullopt, uuid{1, 2}});
    r = c.call<delete_topics_response>(by_id, 6);
    EXPECT_EQ(r.responses[0].error_code, 0);
    EXPECT_EQ(r.responses[0].name, "y");
    EXPECT_EQ(r.responses[1].error_code, 100);
    EXPECT_TRUE(tb.logs().list_topics().empty());
}

const describe_configs_response::describe_configs_resource_result* find(
    const describe_configs_response& r, const std::string& name) {
    for (const auto& c : r.results[0].configs)
        if (c.name == name) return &c;
    return nullptr;
}

describe_configs_response describe(test_client& c, int8_t type, const std::string& name,
                                   int16_t v = 4) {
    describe_configs_request req;
    req.resources.push_back({type, name, std::nullopt});
    req.include_synonyms = true;
    return c.call<describe_configs_response>(req, v);
}

TEST(admin, describe_configs_sources) {
    broker_config cfg;
    cfg.topic_defaults["segment.bytes"] = "1048576";
    cfg.file_settings["log.segment.bytes"] = "1048576";
    test_broker tb(cfg);
    test_client c(tb.port());
    ASSERT_TRUE(tb.logs().create_topic("t", 1, {{"retention.ms", "5000"}}).ok());
    auto r = describe(c, 2, "t");
    ASSERT_EQ(r.results.size(), 1u);
    EXPECT_EQ(r.results[0].error_code, 0);
    auto* ret = find(r, "retention.ms");
    ASSERT_TRUE(ret);
    EXPECT_EQ(ret->value, "5000");
    EXPECT_EQ(ret->config_source, 1);
    ASSERT_EQ(ret->synonyms.size(), 2u);
    EXPECT_EQ(ret->synonyms[1].name, "log.retention.ms");
    EXPECT_EQ(ret->synonyms[1].source, 5);
    auto* seg = find(r, "segment.bytes");
    ASSERT_TRUE(seg);
    EXPECT_EQ(seg->value, "1048576");
    EXPECT_EQ(seg->config_source, 4);
    auto* cp = find(r, "cleanup.policy");
    ASSERT_TRUE(cp);
    EXPECT_EQ(cp->config_source, 5);
    EXPECT_EQ(cp->config_type, 7);
    EXPECT_EQ(r.results[0].configs.size(), storage::topic_config_definitions().size());
    // v0 reports is_default.
    auto r0 = describe(c, 2, "t", 0);
    EXPECT_TRUE(find(r0, "cleanup.policy")->is_default);
    EXPECT_FALSE(find(r0, "retention.ms")->is_default);
    EXPECT_EQ(describe(c, 2, "missing").results[0].error_code, 3);
    auto br = describe(c, 4, "0");
    EXPECT_EQ(br.results[0].error_code, 0);
    ASSERT_TRUE(find(br, "num.partitions"));
    EXPECT_EQ(find(br, "log.segment.bytes")->config_source, 4);
}

TEST(admin, describe_broker_configs_reports_the_key_table) {
    broker_config cfg;
    ASSERT_TRUE(apply_setting(cfg, "num.partitions", "2").ok());
    test_broker tb(cfg);
    test_client c(tb.port());
    describe_configs_request req;
    req.resources.push_back({4, "0", std::nullopt});
    req.include_documentation = true;
    auto r = c.call<describe_configs_response>(req, 4);
    ASSERT_EQ(r.results.size(), 1u);
    EXPECT_EQ(r.results[0].error_code, 0);
    EXPECT_EQ(r.results[0].configs.size(), broker_keys().size());
    auto* np = find(r, "num.partitions");
    ASSERT_TRUE(np);
    EXPECT_EQ(np->value, "2");
    EXPECT_EQ(np->config_source, 4);
    EXPECT_TRUE(np->read_only);
    EXPECT_EQ(np->config_type, 3);  // INT
    EXPECT_EQ(np->documentation, find_broker_key("num.partitions")->doc);
    auto* ret = find(r, "log.retention.ms");
    ASSERT_TRUE(ret);
    EXPECT_FALSE(ret->read_only);    // Kafka marks it dynamic
    EXPECT_EQ(ret->config_type, 5);  // LONG
    EXPECT_EQ(ret->config_source, 5);
    // The advertised listener is the port the broker listens on.
    EXPECT_EQ(find(r, "advertised.listeners")->value,
              "PLAINTEXT://127.0.0.1:" + std::to_string(tb.port()));
    // Documentation only when asked.
    req.include_documentation = false;
    r = c.call<describe_configs_response>(req, 4);
    EXPECT_EQ(find(r, "num.partitions")->documentation, std::nullopt);
    // Another node id is not this broker.
    EXPECT_EQ(describe(c, 4, "7").results[0].error_code, 42);  // INVALID_REQUEST
}

TEST(admin, alter_and_incremental_alter_configs) {
    test_broker tb;
    test_client c(tb.port());
    ASSERT_TRUE(tb.logs().create_topic("t", 1, {{"retention.ms", "5000"}}).ok());
    incremental_alter_configs_request inc;
    incremental_alter_configs_request::alter_configs_resource res;
    res.resource_type = 2;
    res.resource_name = "t";
    res.configs.push_back({"segment.ms", 0, "60000"});
    res.configs.push_back({"retention.ms", 1, std::nullopt});
    res.configs.push_back({"cleanup.policy", 2, "compact"});
    inc.resources.push_back(res);
    auto r = c.call<incremental_alter_configs_response>(inc, 1);
    EXPECT_EQ(r.responses[0].error_code, 0);
    auto ov = tb.logs().describe("t")->overrides;
    EXPECT_EQ(ov,
              (storage::config_map{{"segment.ms", "60000"}, {"cleanup.policy", "delete,compact"}}));
    // Subtract, then an invalid value leaves everything unchanged.
    inc.resources[0].configs = {{"cleanup.policy", 3, "delete"}};
    r = c.call<incremental_alter_configs_response>(inc, 0);
    EXPECT_EQ(r.responses[0].error_code, 0);
    EXPECT_EQ(tb.logs().describe("t")->overrides.at("cleanup.policy"), "compact");
    inc.resources[0].configs = {{"segment.ms", 0, "1"}, {"retention.ms", 0, "x"}};
    r = c.call<incremental_alter_configs_response>(inc, 1);
    EXPECT_EQ(r.responses[0].error_code, 40);
    EXPECT_EQ(tb.logs().describe("t")->overrides.at("segment.ms"), "60000");
    inc.resources[0].configs = {{"segment.ms", 2, "1"}};
    EXPECT_EQ(c.call<incremental_alter_configs_response>(inc, 1).responses[0].error_code, 40);

    // AlterConfigs replaces the whole set.
    alter_configs_request alt;
    alter_configs_request::alter_configs_resource ar;
    ar.resource_type = 2;
    ar.resource_name = "t";
    ar.configs.push_back({"retention.bytes", "100000"});
    alt.resources.push_back(ar);
    auto ra = c.call<alter_configs_response>(alt, 2);
    EXPECT_EQ(ra.responses[0].error_code, 0);
    EXPECT_EQ(tb.logs().describe("t")->overrides,
              (storage::config_map{{"retention.bytes", "100000"}}));
    alt.resources[0].resource_name = "nope";
    EXPECT_EQ(c.call<alter_configs_response>(alt, 0).responses[0].error_code, 3);
}

TEST(admin, cluster_log_dirs_and_leader_epochs) {
    test_broker tb;
    test_client c(tb.port());
    ASSERT_TRUE(tb.logs().create_topic("t", 2, {}).ok());
    auto dc = c.call<describe_cluster_response>(describe_cluster_request{}, 1);
    EXPECT_EQ(dc.error_code, 0);
    EXPECT_EQ(dc.cluster_id, tb.deps().cluster.cluster_id());
    ASSERT_EQ(dc.brokers.size(), 1u);
    EXPECT_EQ(dc.brokers[0].port, tb.port());

    describe_log_dirs_request ld;
    ld.topics = std::nullopt;
    auto ldr = c.call<describe_log_dirs_response>(ld, 4);
    ASSERT_EQ(ldr.results.size(), 1u);
    ASSERT_EQ(ldr.results[0].topics.size(), 1u);
    EXPECT_EQ(ldr.results[0].topics[0].partitions.size(), 2u);

    offset_for_leader_epoch_request oe;
    oe.topics.push_back({"t", {{0, -1, 0}, {7, -1, 0}}});
    auto oer = c.call<offset_for_leader_epoch_response>(oe, 4);
    EXPECT_EQ(oer.topics[0].partitions[0].error_code, 0);
    EXPECT_EQ(oer.topics[0].partitions[0].leader_epoch, 0);
    EXPECT_EQ(oer.topics[0].partitions[0].end_offset, 0);
    EXPECT_EQ(oer.topics[0].partitions[1].error_code, 3);
}

}  // namespace
}  // namespace admin_test
}  // namespace spate::broker::test
