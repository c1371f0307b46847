#include <gtest/gtest.h>

#include "storage/config.h"

namespace spate::storage {
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

}  // namespace
}  // namespace spate::storage
