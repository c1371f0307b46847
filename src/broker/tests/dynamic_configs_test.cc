// Dynamic broker configs: AlterConfigs / IncrementalAlterConfigs on the
// BROKER resource, Kafka's refusals, DescribeConfigs sources, and the file
// that keeps them across restarts.

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "broker/config_keys.h"
#include "broker/dynamic_configs.h"
#include "broker/tests/test_client.h"
#include "kafka/protocol/generated/describe_configs_request.h"
#include "kafka/protocol/generated/describe_configs_response.h"
#include "kafka/protocol/generated/incremental_alter_configs_request.h"
#include "kafka/protocol/generated/incremental_alter_configs_response.h"

namespace spate::broker::test {
namespace dynamic_configs_test {
namespace {

using namespace kafka::protocol;
using kafka::error_code;

struct temp_dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("spate-dyn-" + std::to_string(std::random_device{}()));
    temp_dir() { std::filesystem::create_directories(path); }
    ~temp_dir() { std::filesystem::remove_all(path); }
};

const described_config* find(const std::vector<described_config>& all, const std::string& name) {
    for (const auto& d : all)
        if (d.name == name) return &d;
    return nullptr;
}

TEST(dynamic_broker_configs, stored_settings_survive_a_reload_and_apply_at_start_up) {
    temp_dir dir;
    auto d = dynamic_broker_configs::load(dir.path);
    ASSERT_TRUE(d.ok());
    EXPECT_FALSE(d->replace(dynamic_scope::cluster_default,
                            {{"log.retention.ms", "1000"}, {"log.cleaner.backoff.ms", "500"}},
                            false));
    EXPECT_FALSE(d->replace(dynamic_scope::this_broker, {{"log.retention.ms", "2000"}}, false));
    auto again = dynamic_broker_configs::load(dir.path);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->get(dynamic_scope::cluster_default).at("log.cleaner.backoff.ms"), "500");
    EXPECT_EQ(again->get(dynamic_scope::this_broker).at("log.retention.ms"), "2000");
    broker_config c;
    c.data_dir = dir.path;
    ASSERT_TRUE(apply_dynamic_configs(c).ok());
    EXPECT_EQ(c.log_cleaner_backoff_ms, 500);
    EXPECT_EQ(c.topic_defaults.at("retention.ms"), "2000");  // this broker's wins
}

TEST(dynamic_broker_configs, refuses_read_only_unknown_and_invalid_settings_unchanged) {
    temp_dir dir;
    auto d = dynamic_broker_configs::load(dir.path);
    ASSERT_TRUE(d.ok());
    auto ro = d->replace(dynamic_scope::this_broker, {{"node.id", "3"}}, false);
    ASSERT_TRUE(ro);
    EXPECT_EQ(ro->error, error_code::invalid_request);
    EXPECT_NE(ro->message.find("Cannot update these configs dynamically"), std::string::npos);
    auto unknown = d->replace(dynamic_scope::this_broker, {{"no.such.key", "1"}}, false);
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->error, error_code::invalid_config);
    auto bad = d->replace(dynamic_scope::this_broker, {{"log.retention.ms", "x"}}, false);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->error, error_code::invalid_request);
    EXPECT_TRUE(d->get(dynamic_scope::this_broker).empty());
    EXPECT_FALSE(std::filesystem::exists(dir.path / "dynamic-broker-configs.properties"));
}

TEST(dynamic_broker_configs, describe_reports_dynamic_sources_and_synonyms_in_order) {
    temp_dir dir;
    auto d = dynamic_broker_configs::load(dir.path);
    ASSERT_TRUE(d.ok());
    broker_config c;
    ASSERT_TRUE(apply_setting(c, "log.cleaner.backoff.ms", "700").ok());
    EXPECT_FALSE(
        d->replace(dynamic_scope::cluster_default, {{"log.cleaner.backoff.ms", "800"}}, false));
    EXPECT_FALSE(
        d->replace(dynamic_scope::this_broker, {{"log.cleaner.backoff.ms", "900"}}, false));
    auto all = d->describe(c);
    const auto* k = find(all, "log.cleaner.backoff.ms");
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->value, "900");
    EXPECT_EQ(k->source, config_source::dynamic_broker_config);
    ASSERT_EQ(k->synonyms.size(), 4u);
    EXPECT_EQ(k->synonyms[1].value, "800");
    EXPECT_EQ(k->synonyms[1].source, config_source::dynamic_default_broker_config);
    EXPECT_EQ(k->synonyms[2].value, "700");
    EXPECT_EQ(k->synonyms[2].source, config_source::static_broker_config);
    EXPECT_EQ(k->synonyms[3].source, config_source::default_config);
}

TEST(dynamic_broker_configs, incremental_alter_configs_over_tcp) {
    test_broker tb;
    test_client c(tb.port());
    incremental_alter_configs_request req;
    incremental_alter_configs_request::alter_configs_resource res;
    res.resource_type = 4;
    res.resource_name = "0";
    res.configs.push_back({"log.retention.ms", 0, "3600000"});
    req.resources.push_back(res);
    auto ok = c.call<incremental_alter_configs_response>(req, 1);
    ASSERT_EQ(ok.responses.size(), 1u);
    EXPECT_EQ(ok.responses[0].error_code, 0);
    req.resources[0].configs = {{"auto.create.topics.enable", 0, "false"}};
    auto ro = c.call<incremental_alter_configs_response>(req, 1);
    EXPECT_EQ(ro.responses.at(0).error_code, code(error_code::invalid_request));

    describe_configs_request dr;
    describe_configs_request::describe_configs_resource d;
    d.resource_type = 4;
    d.resource_name = "0";
    d.configuration_keys =
        std::vector<std::string>{"log.retention.ms", "auto.create.topics.enable"};
    dr.resources.push_back(d);
    auto described = c.call<describe_configs_response>(dr, 4);
    ASSERT_EQ(described.results.size(), 1u);
    ASSERT_EQ(described.results[0].configs.size(), 2u);
    for (const auto& cfg : described.results[0].configs) {
        if (cfg.name == "log.retention.ms") {
            EXPECT_EQ(cfg.value, "3600000");
            EXPECT_EQ(cfg.config_source, 2);  // DYNAMIC_BROKER_CONFIG
        } else {
            EXPECT_EQ(cfg.value, "true");
            EXPECT_TRUE(cfg.read_only);
        }
    }
}

struct recording_observer final : dynamic_config_observer {
    void on_broker_configs_changed(const broker_config& effective) override {
        seen.push_back(effective);
    }
    std::vector<broker_config> seen;
};

TEST(dynamic_broker_configs, observers_get_the_static_config_with_both_scopes_laid_over) {
    temp_dir dir;
    auto d = dynamic_broker_configs::load(dir.path);
    ASSERT_TRUE(d.ok());
    broker_config file;
    ASSERT_TRUE(apply_setting(file, "log.retention.ms", "5000").ok());
    ASSERT_TRUE(apply_setting(file, "log.cleaner.backoff.ms", "700").ok());
    d->set_static(file);
    recording_observer o;
    d->add_observer(&o);
    EXPECT_FALSE(d->replace(dynamic_scope::cluster_default, {{"log.retention.ms", "1000"}}, false));
    EXPECT_FALSE(d->replace(dynamic_scope::this_broker, {{"log.cleaner.backoff.ms", "90"}}, false));
    // Validation only: nothing stored, nobody told.
    EXPECT_FALSE(d->replace(dynamic_scope::this_broker, {{"log.retention.ms", "1"}}, true));
    ASSERT_EQ(o.seen.size(), 2u);
    EXPECT_EQ(o.seen[0].topic_defaults.at("retention.ms"), "1000");
    EXPECT_EQ(o.seen[0].log_cleaner_backoff_ms, 700);
    EXPECT_EQ(o.seen[1].log_cleaner_backoff_ms, 90);
    // Deleting the dynamic key falls back to the file's value.
    EXPECT_FALSE(d->replace(dynamic_scope::cluster_default, {}, false));
    ASSERT_EQ(o.seen.size(), 3u);
    EXPECT_EQ(o.seen[2].topic_defaults.at("retention.ms"), "5000");
    // A refused change tells nobody.
    EXPECT_TRUE(d->replace(dynamic_scope::this_broker, {{"node.id", "3"}}, false));
    EXPECT_EQ(o.seen.size(), 3u);
    d->remove_observer(&o);
}

void alter_broker(test_client& c, const std::string& key, std::optional<std::string> value,
                  int8_t op = 0) {
    incremental_alter_configs_request req;
    incremental_alter_configs_request::alter_configs_resource res;
    res.resource_type = 4;
    res.resource_name = "";
    res.configs.push_back({key, op, std::move(value)});
    req.resources.push_back(res);
    auto r = c.call<incremental_alter_configs_response>(req, 1);
    ASSERT_EQ(r.responses.size(), 1u);
    EXPECT_EQ(r.responses[0].error_code, 0) << key;
}

TEST(dynamic_broker_configs, topic_defaults_apply_at_once_to_topics_without_an_override) {
    test_broker tb;
    ASSERT_TRUE(tb.logs().create_topic("plain", 1, {}).ok());
    ASSERT_TRUE(tb.logs().create_topic("own", 1, {{"retention.ms", "123456"}}).ok());
    test_client c(tb.port());
    alter_broker(c, "log.retention.ms", "60000");
    alter_broker(c, "message.max.bytes", "2000");
    EXPECT_EQ(tb.logs().get("plain", 0)->config().retention_ms, 60000);
    EXPECT_EQ(tb.logs().get("plain", 0)->config().max_message_bytes, 2000);
    EXPECT_EQ(tb.logs().get("own", 0)->config().retention_ms, 123456);
    describe_configs_request dr;
    describe_configs_request::describe_configs_resource d;
    d.resource_type = 2;
    d.resource_name = "plain";
    d.configuration_keys = std::vector<std::string>{"retention.ms"};
    dr.resources.push_back(d);
    auto described = c.call<describe_configs_response>(dr, 4);
    ASSERT_EQ(described.results.size(), 1u);
    ASSERT_EQ(described.results[0].configs.size(), 1u);
    EXPECT_EQ(described.results[0].configs[0].value, "60000");
    EXPECT_EQ(described.results[0].configs[0].config_source, 3);  // DYNAMIC_DEFAULT_BROKER_CONFIG
    // New topics inherit it too; deleting it restores the default.
    ASSERT_TRUE(tb.logs().create_topic("later", 1, {}).ok());
    EXPECT_EQ(tb.logs().get("later", 0)->config().retention_ms, 60000);
    alter_broker(c, "log.retention.ms", std::nullopt, 1);  // DELETE
    EXPECT_EQ(tb.logs().get("plain", 0)->config().retention_ms, 7LL * 24 * 3600 * 1000);
    EXPECT_EQ(tb.logs().get("plain", 0)->config().max_message_bytes, 2000);
}

}  // namespace
}  // namespace dynamic_configs_test
}  // namespace spate::broker::test
