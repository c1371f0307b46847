// Pieces without a socket: configuration, cluster id, fetch session cache.

#include <fstream>

#include <gtest/gtest.h>

#include "broker/broker_config.h"
#include "broker/fetch_session.h"
#include "broker/storage_service.h"
#include "broker/topic_directory.h"

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

#include "broker/handlers/handlers.h"

namespace spate::broker {
namespace {

// The security layer authorizes from the specs alone: every served API but
// ApiVersions must name the operation and resource Kafka checks for it.
// ApiVersions and the SASL exchange (SaslHandshake, SaslAuthenticate) are
// served to every principal, before authentication too: no ACL, as Kafka.
TEST(handler_specs, every_api_but_api_versions_and_sasl_declares_its_acl) {
    using kafka::protocol::acl_operation;
    using kafka::protocol::api_key;
    using kafka::protocol::resource_type;
    size_t n = 0;
    for (const auto& h : handlers::kafka_handlers()) {
        ++n;
        if (h.key == api_key::api_versions || h.key == api_key::sasl_handshake ||
            h.key == api_key::sasl_authenticate) {
            EXPECT_EQ(h.resource, resource_type::unknown);
            continue;
        }
        EXPECT_NE(h.operation, acl_operation::unknown) << static_cast<int>(h.key);
        EXPECT_NE(h.resource, resource_type::unknown) << static_cast<int>(h.key);
        EXPECT_LE(h.min_version, h.max_version) << static_cast<int>(h.key);
    }
    EXPECT_GE(n, 34u);
}

TEST(topic_directory, internal_topics_are_never_auto_created) {
    auto dir = std::filesystem::temp_directory_path() / "spate-topic-directory-test";
    std::filesystem::remove_all(dir);
    storage::log_manager_options opts;
    opts.data_dir = dir;
    auto logs = storage::log_manager::open(opts);
    ASSERT_TRUE(logs.ok());
    broker_config cfg;
    topic_directory topics(**logs, cfg);
    topics.mark_internal("__transaction_state");
    std::vector<std::string> deleted;
    topics.on_topic_deleted([&](const std::string& n) { deleted.push_back(n); });
    auto internal = topics.find_or_create("__transaction_state", true);
    ASSERT_TRUE(internal.ok());
    EXPECT_FALSE(internal->has_value());
    auto plain = topics.find_or_create("plain", true);
    ASSERT_TRUE(plain.ok());
    EXPECT_TRUE(plain->has_value());
    ASSERT_TRUE(topics.delete_topic("plain").ok());
    EXPECT_EQ(deleted, std::vector<std::string>{"plain"});
    ASSERT_TRUE((*logs)->close().ok());
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spate::broker
