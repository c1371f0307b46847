// Pieces without a socket: configuration, cluster id, fetch session cache.

#include <fstream>

#include <gtest/gtest.h>

#include "broker/broker.h"
#include "broker/broker_config.h"
#include "broker/fetch_session.h"

namespace spate::broker {
namespace {

TEST(broker_config, properties_file) {
    auto path = std::filesystem::temp_directory_path() / "spate-broker-props-test.properties";
    {
        std::ofstream out(path);
        out << "# comment\n"
               "auto.create.topics.enable=false\n"
               "num.partitions = 4\n"
               "socket.request.max.bytes=1048576\n"
               "log.retention.hours=2\n"
               "log.segment.bytes=1048576\n"
               "log.flush.interval.ms=1000\n";
    }
    broker_config c;
    auto s = load_properties(c, path);
    ASSERT_TRUE(s.ok()) << s.err().to_string();
    EXPECT_FALSE(c.auto_create_topics);
    EXPECT_EQ(c.num_partitions, 4);
    EXPECT_EQ(c.socket_request_max_bytes, 1048576u);
    EXPECT_EQ(c.topic_defaults, (storage::config_map{{"retention.ms", "7200000"},
                                                     {"segment.bytes", "1048576"},
                                                     {"flush.ms", "1000"}}));
    EXPECT_EQ(c.file_settings.at("log.retention.hours"), "2");
    broker_config bad;
    EXPECT_FALSE(apply_setting(bad, "num.partitions", "zero").ok());
    EXPECT_FALSE(apply_setting(bad, "log.segment.bytes", "-1").ok());
    // Transaction coordinator keys.
    ASSERT_TRUE(apply_setting(bad, "transaction.max.timeout.ms", "60000").ok());
    EXPECT_EQ(bad.transaction_max_timeout_ms, 60000);
    ASSERT_TRUE(apply_setting(bad, "transactional.id.expiration.ms", "3600000").ok());
    EXPECT_EQ(bad.transactional_id_expiration_ms, 3600000);
    EXPECT_FALSE(apply_setting(bad, "transaction.max.timeout.ms", "0").ok());
    std::filesystem::remove(path);

    std::string host;
    uint16_t port = 0;
    ASSERT_TRUE(parse_host_port("0.0.0.0:9093", host, port).ok());
    EXPECT_EQ(host, "0.0.0.0");
    EXPECT_EQ(port, 9093);
    EXPECT_FALSE(parse_host_port("nohost", host, port).ok());
    EXPECT_FALSE(parse_host_port("h:99999", host, port).ok());
}

TEST(cluster_id, generated_once_and_kept) {
    auto dir = std::filesystem::temp_directory_path() / "spate-broker-cluster-id-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto a = load_or_create_cluster_id(dir);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->size(), 22u);
    auto b = load_or_create_cluster_id(dir);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(*a, *b);
    std::ofstream(dir / "cluster.id") << "garbage\n";
    EXPECT_FALSE(load_or_create_cluster_id(dir).ok());
    std::filesystem::remove_all(dir);
}

TEST(fetch_session_cache, epochs_and_eviction) {
    fetch_session_cache cache(2);
    auto s1 = cache.create();
    auto s2 = cache.create();
    ASSERT_TRUE(s1 && s2);
    EXPECT_NE(s1->id, s2->id);
    EXPECT_EQ(cache.acquire(s1->id, 1).second, error_code::none);
    EXPECT_EQ(cache.acquire(s1->id, 1).second, error_code::invalid_fetch_session_epoch);
    EXPECT_EQ(cache.acquire(s1->id, 2).second, error_code::none);
    auto s3 = cache.create();  // evicts s2, the least recently used
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(cache.acquire(s2->id, 1).second, error_code::fetch_session_id_not_found);
    cache.remove(s1->id);
    EXPECT_EQ(cache.acquire(s1->id, 3).second, error_code::fetch_session_id_not_found);
}

}  // namespace
}  // namespace spate::broker
