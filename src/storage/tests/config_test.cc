#include <gtest/gtest.h>

#include "storage/config.h"

namespace spate::storage {
namespace config_test {
namespace {

TEST(topic_config, defaults_match_kafka) {
    auto c = topic_config::resolve({}, {});
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->segment_bytes, 1 << 30);
    EXPECT_EQ(c->retention_ms, 7LL * 24 * 3600 * 1000);
    EXPECT_EQ(c->retention_bytes, -1);
    EXPECT_EQ(c->index_interval_bytes, 4096);
    EXPECT_TRUE(c->cleanup_delete);
    EXPECT_FALSE(c->cleanup_compact);
    EXPECT_FALSE(c->log_append_time);
}

TEST(topic_config, overrides_win_over_broker_defaults) {
    auto c =
        topic_config::resolve({{"retention.ms", "1000"}, {"segment.bytes", "2048"}},
                              {{"retention.ms", "5000"}, {"cleanup.policy", "compact,delete"}});
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->retention_ms, 5000);
    EXPECT_EQ(c->segment_bytes, 2048);
    EXPECT_TRUE(c->cleanup_compact);
    EXPECT_TRUE(c->cleanup_delete);
    EXPECT_EQ(c->overrides.size(), 2u);
}

TEST(topic_config, rejects_unknown_keys_bad_numbers_and_bad_enums) {
    EXPECT_EQ(topic_config::resolve({}, {{"no.such.key", "1"}}).err().code, errc::invalid_argument);
    EXPECT_FALSE(topic_config::resolve({}, {{"retention.ms", "ten"}}).ok());
    EXPECT_FALSE(topic_config::resolve({}, {{"retention.ms", "-2"}}).ok());
    EXPECT_FALSE(topic_config::resolve({}, {{"segment.bytes", "3000000000"}}).ok());
    EXPECT_FALSE(topic_config::resolve({}, {{"segment.bytes", "12abc"}}).ok());
    EXPECT_FALSE(topic_config::resolve({}, {{"cleanup.policy", "compact,shred"}}).ok());
    EXPECT_FALSE(topic_config::resolve({}, {{"message.timestamp.type", "Now"}}).ok());
    EXPECT_TRUE(
        topic_config::resolve({}, {{"message.timestamp.type", "LogAppendTime"}})->log_append_time);
}

TEST(topic_config, bad_values_name_the_key_and_the_valid_values) {
    auto msg = [](const char* k, const char* v) {
        auto s = validate_topic_config(k, v);
        return s.ok() ? std::string("(ok)") : s.err().message;
    };
    EXPECT_EQ(msg("retention.ms", "ten"), "retention.ms: invalid value 'ten' (valid: [-1, ...])");
    EXPECT_EQ(msg("segment.bytes", "3000000000"),
              "segment.bytes: invalid value '3000000000' (valid: [14, ...])");
    EXPECT_EQ(msg("cleanup.policy", "compact,shred"),
              "cleanup.policy: invalid value 'compact,shred' (valid: delete, compact)");
    EXPECT_EQ(msg("min.cleanable.dirty.ratio", "1.5"),
              "min.cleanable.dirty.ratio: invalid value '1.5' (valid: [0, 1])");
    EXPECT_EQ(msg("no.such.key", "1"), "unknown topic config 'no.such.key'");
    EXPECT_EQ(msg("min.cleanable.dirty.ratio", "0.25"), "(ok)");
}

TEST(topic_config, resolves_schema_validation_and_refuses_unknown_strategies) {
    auto off = topic_config::resolve({}, {});
    EXPECT_FALSE(off->schema_validation.enabled());
    EXPECT_EQ(off->schema_validation.value_strategy, subject_name_strategy::topic_name);
    auto on = topic_config::resolve(
        {{"confluent.key.subject.name.strategy", k_record_name_strategy}},
        {{"confluent.value.schema.validation", "true"},
         {"confluent.value.subject.name.strategy", k_topic_record_name_strategy}});
    ASSERT_TRUE(on.ok());
    EXPECT_FALSE(on->schema_validation.key);
    EXPECT_TRUE(on->schema_validation.value);
    EXPECT_EQ(on->schema_validation.key_strategy, subject_name_strategy::record_name);
    EXPECT_EQ(on->schema_validation.value_strategy, subject_name_strategy::topic_record_name);
    EXPECT_FALSE(
        validate_topic_config("confluent.key.subject.name.strategy", "TopicNameStrategy").ok());
    EXPECT_FALSE(validate_topic_config("confluent.value.schema.validation", "yes").ok());
}

TEST(topic_config, every_definition_has_a_valid_default_and_a_doc) {
    for (const auto& d : topic_config_definitions()) {
        EXPECT_TRUE(validate_topic_config(d.name, d.default_value).ok()) << d.name;
        EXPECT_FALSE(d.doc.empty()) << d.name;
        EXPECT_FALSE(range_text(d).empty()) << d.name;
    }
}

}  // namespace
}  // namespace config_test
}  // namespace spate::storage
