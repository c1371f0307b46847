// Client quotas: DescribeClientQuotas / AlterClientQuotas (validation,
// validate_only, filters, persistence in __spate_quotas), and throttling on
// a real connection: throttle_time_ms in the response, the connection muted
// for that long (KIP-219) or the response delayed (older versions), the
// controller mutation quota refusing with THROTTLING_QUOTA_EXCEEDED.

#include <chrono>
#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "broker/client_quotas.h"
#include "broker/handlers/handler_util.h"
#include "broker/tests/authz_harness.h"
#include "broker/tests/test_client.h"
#include "kafka/protocol/generated/alter_client_quotas_request.h"
#include "kafka/protocol/generated/alter_client_quotas_response.h"
#include "kafka/protocol/generated/api_versions_request.h"
#include "kafka/protocol/generated/api_versions_response.h"
#include "kafka/protocol/generated/create_topics_request.h"
#include "kafka/protocol/generated/create_topics_response.h"
#include "kafka/protocol/generated/describe_client_quotas_request.h"
#include "kafka/protocol/generated/describe_client_quotas_response.h"
#include "kafka/protocol/generated/fetch_request.h"
#include "kafka/protocol/generated/fetch_response.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"

namespace spate::broker::test {
namespace quotas_test {
namespace {

using namespace kafka::protocol;
using clk = std::chrono::steady_clock;
using opt = std::optional<std::string>;

alter_client_quotas_request::entry_data quota_entry(
    std::vector<std::pair<std::string, opt>> entity,
    std::vector<alter_client_quotas_request::op_data> ops) {
    alter_client_quotas_request::entry_data e;
    for (auto& [type, name] : entity)
        e.entity.push_back({type, name});
    e.ops = std::move(ops);
    return e;
}

int16_t alter(test_client& c, alter_client_quotas_request::entry_data e, bool validate_only = false,
              int16_t version = 1) {
    alter_client_quotas_request req;
    req.validate_only = validate_only;
    req.entries.push_back(std::move(e));
    auto r = c.call<alter_client_quotas_response>(req, version);
    EXPECT_EQ(r.entries.size(), 1u);
    return r.entries.empty() ? -1 : r.entries[0].error_code;
}

describe_client_quotas_response describe(
    test_client& c, std::vector<describe_client_quotas_request::component_data> f,
    bool strict = false) {
    describe_client_quotas_request req;
    req.components = std::move(f);
    req.strict = strict;
    return c.call<describe_client_quotas_response>(req, 1);
}

// "user=alice,client-id=<default>" → values, from a DescribeClientQuotas answer.
std::map<std::string, std::map<std::string, double>> by_entity(
    const describe_client_quotas_response& r) {
    std::map<std::string, std::map<std::string, double>> out;
    for (const auto& e :
         r.entries.value_or(std::vector<describe_client_quotas_response::entry_data>{})) {
        std::string key;
        for (const auto& p : e.entity)
            key += (key.empty() ? "" : ",") + p.entity_type + "=" +
                   p.entity_name.value_or("<default>");
        for (const auto& v : e.values)
            out[key][v.key] = v.value;
    }
    return out;
}

TEST(client_quotas, alter_validates_like_kafka_and_describe_filters) {
    test_broker tb;
    test_client c(tb.port());
    const int16_t invalid = code(error_code::invalid_request);
    EXPECT_EQ(alter(c, quota_entry({{"user", "alice"}}, {{"producer_byte_rate", 1048576, false}})),
              0);
    EXPECT_EQ(
        alter(c, quota_entry({{"user", std::nullopt}}, {{"consumer_byte_rate", 2048, false}})), 0);
    EXPECT_EQ(alter(c, quota_entry({{"user", "alice"}, {"client-id", "app"}},
                                   {{"request_percentage", 50.5, false}})),
              0);
    EXPECT_EQ(alter(c, quota_entry({{"client-id", std::nullopt}},
                                   {{"controller_mutation_rate", 10, false}})),
              0);
    // Kafka's INVALID_REQUEST cases; nothing of them is stored.
    EXPECT_EQ(alter(c, quota_entry({{"user", "bob"}}, {{"no_such_quota", 1, false}})), invalid);
    EXPECT_EQ(alter(c, quota_entry({{"user", "bob"}}, {{"producer_byte_rate", 1.5, false}})),
              invalid);
    EXPECT_EQ(alter(c, quota_entry({{"user", "bob"}}, {{"producer_byte_rate", -1, false}})),
              invalid);
    EXPECT_EQ(alter(c, quota_entry({{"user", "bob"}, {"user", "eve"}},
                                   {{"producer_byte_rate", 1, false}})),
              invalid);
    EXPECT_EQ(alter(c, quota_entry({}, {{"producer_byte_rate", 1, false}})), invalid);
    EXPECT_EQ(alter(c, quota_entry({{"group", "g"}}, {{"producer_byte_rate", 1, false}})), invalid);
    EXPECT_EQ(alter(c, quota_entry({{"user", "bob"}}, {{"producer_byte_rate", 1, false},
                                                       {"producer_byte_rate", 2, false}})),
              invalid);
    // validate_only changes nothing.
    EXPECT_EQ(alter(c, quota_entry({{"user", "bob"}}, {{"producer_byte_rate", 100, false}}), true),
              0);

    auto all = by_entity(describe(c, {}));
    EXPECT_EQ(all.size(), 4u);
    EXPECT_EQ(all["user=alice"]["producer_byte_rate"], 1048576);
    EXPECT_EQ(all["user=<default>"]["consumer_byte_rate"], 2048);
    EXPECT_EQ(all["user=alice,client-id=app"]["request_percentage"], 50.5);
    EXPECT_EQ(all["client-id=<default>"]["controller_mutation_rate"], 10);
    EXPECT_EQ(all.count("user=bob"), 0u);

    // EXACT alice (non-strict: with or without a client part), strict:
    // only the user entity; DEFAULT; SPECIFIED.
    EXPECT_EQ(by_entity(describe(c, {{"user", 0, "alice"}})).size(), 2u);
    EXPECT_EQ(by_entity(describe(c, {{"user", 0, "alice"}}, true)).size(), 1u);
    EXPECT_EQ(by_entity(describe(c, {{"user", 1, std::nullopt}})).count("user=<default>"), 1u);
    EXPECT_EQ(by_entity(describe(c, {{"user", 2, std::nullopt}}, true)).size(), 1u);
    // Bad filters.
    auto bad = describe(c, {{"user", 0, std::nullopt}});
    EXPECT_EQ(bad.error_code, invalid);
    EXPECT_FALSE(bad.entries.has_value());
    EXPECT_EQ(describe(c, {{"user", 1, std::nullopt}, {"user", 1, std::nullopt}}).error_code,
              invalid);
    EXPECT_EQ(describe(c, {{"topic", 1, std::nullopt}}).error_code, invalid);

    // Removing the last quota of an entity removes the entity.
    EXPECT_EQ(alter(c, quota_entry({{"user", "alice"}}, {{"producer_byte_rate", 0, true}})), 0);
    EXPECT_EQ(by_entity(describe(c, {{"user", 0, "alice"}}, true)).size(), 0u);

    // The log replays to the same quotas; the topic is internal.
    client_quotas replayed(tb.logs(), 1000, 11);
    ASSERT_TRUE(replayed.load().ok());
    auto entries = replayed.manager().entries();
    EXPECT_EQ(entries.size(), 3u);
    EXPECT_EQ(replayed.manager().configured({opt("alice"), opt("app")},
                                            security::quota_kind::request_percentage),
              50.5);
    EXPECT_TRUE(tb.deps().topics.is_internal(k_quotas_topic));
}

TEST(client_quotas, the_quota_apis_need_cluster_config_acls) {
    broker_config cfg;
    cfg.authz.allow_everyone_if_no_acl_found = false;
    cfg.authz.super_users = {"User:admin"};
    test_broker tb(cfg);
    alter_client_quotas_request req;
    req.entries.push_back(quota_entry({{"user", "x"}}, {{"producer_byte_rate", 10, false}}));
    auto denied = call_as<alter_client_quotas_response>(tb.deps(), principal("mallory"), req, 1);
    ASSERT_EQ(denied.entries.size(), 1u);
    EXPECT_EQ(denied.entries[0].error_code, code(error_code::cluster_authorization_failed));
    auto d = call_as<describe_client_quotas_response>(tb.deps(), principal("mallory"),
                                                      describe_client_quotas_request{}, 1);
    EXPECT_EQ(d.error_code, code(error_code::cluster_authorization_failed));
    EXPECT_TRUE(tb.deps().quotas->manager().entries().empty());
    auto ok = call_as<alter_client_quotas_response>(tb.deps(), principal("admin"), req, 1);
    EXPECT_EQ(ok.entries.at(0).error_code, 0);
    EXPECT_EQ(tb.deps().quotas->manager().entries().size(), 1u);
}

produce_request produce_of(const std::vector<std::byte>& batch) {
    produce_request r;
    r.acks = 1;
    r.timeout_ms = 5000;
    produce_request::topic_produce_data t;
    t.name = "throttled";
    t.partition_data.push_back({0, std::span<const std::byte>(batch)});
    r.topic_data.push_back(std::move(t));
    return r;
}

int64_t ms_since(clk::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clk::now() - t).count();
}

TEST(client_quotas, a_producer_over_its_byte_rate_is_told_to_wait_and_muted) {
    broker_config cfg;
    cfg.quota_window_num = 2;
    test_broker tb(cfg);
    test_client c(tb.port());
    // The test client's id is "test".
    ASSERT_EQ(alter(c, quota_entry({{"client-id", "test"}}, {{"producer_byte_rate", 1000, false}})),
              0);
    auto batch = make_batch(200);
    auto first = c.call<produce_response>(produce_of(batch), 9);
    auto second = c.call<produce_response>(produce_of(batch), 9);
    EXPECT_EQ(second.responses.at(0).partition_responses.at(0).error_code, 0);
    const int32_t wait = std::max(first.throttle_time_ms, second.throttle_time_ms);
    ASSERT_GT(wait, 0);
    EXPECT_LE(wait, 1000);  // at most one window
    // KIP-219: the response came at once, the next request waits out the mute.
    auto start = clk::now();
    c.call<api_versions_response>(api_versions_request{}, 0);
    EXPECT_GE(ms_since(start), second.throttle_time_ms - 20);

    // Without the quota, no throttle.
    ASSERT_EQ(alter(c, quota_entry({{"client-id", "test"}}, {{"producer_byte_rate", 0, true}})), 0);
    EXPECT_EQ(c.call<produce_response>(produce_of(batch), 9).throttle_time_ms, 0);
}

fetch_request fetch_all_of_throttled() {
    fetch_request req;
    req.max_wait_ms = 0;
    req.max_bytes = 1 << 20;
    req.session_epoch = -1;
    auto& t = req.topics.emplace_back();
    t.topic = "throttled";
    t.partitions.push_back({});
    t.partitions.back().partition_max_bytes = 1 << 20;
    return req;
}

size_t record_bytes(const fetch_response& r) {
    size_t n = 0;
    for (const auto& t : r.responses)
        for (const auto& p : t.partitions)
            n += p.records ? p.records->size() : 0;
    return n;
}

// KIP-219: a throttled Fetch is answered at once with throttle_time_ms and no
// records; after the wait the same fetch gets them.
TEST(client_quotas, a_consumer_over_its_byte_rate_gets_no_records_until_its_wait_is_over) {
    broker_config cfg;
    cfg.quota_window_num = 2;  // burst: two seconds of the rate
    test_broker tb(cfg);
    test_client c(tb.port());
    auto batch = make_batch(20);
    ASSERT_EQ(c.call<produce_response>(produce_of(batch), 9)
                  .responses.at(0)
                  .partition_responses.at(0)
                  .error_code,
              0);
    // The batch is a little over half the burst: one fetch fits, two do not.
    const double rate = std::floor(double(batch.size()) * 0.6);  // Kafka: whole bytes
    ASSERT_EQ(alter(c, quota_entry({{"client-id", "test"}}, {{"consumer_byte_rate", rate, false}})),
              0);
    auto first = c.call<fetch_response>(fetch_all_of_throttled(), 12);
    EXPECT_EQ(first.throttle_time_ms, 0);
    EXPECT_EQ(record_bytes(first), batch.size());
    auto second = c.call<fetch_response>(fetch_all_of_throttled(), 12);
    ASSERT_GT(second.throttle_time_ms, 0);
    EXPECT_EQ(record_bytes(second), 0u);
    // The records not sent were given back: after the wait they fit again.
    const auto until = clk::now() + std::chrono::seconds(10);
    fetch_response later;
    while (clk::now() < until) {
        later = c.call<fetch_response>(fetch_all_of_throttled(), 12);
        if (later.throttle_time_ms == 0) break;
    }
    EXPECT_EQ(later.throttle_time_ms, 0);
    EXPECT_EQ(record_bytes(later), batch.size());
}

TEST(client_quotas, an_old_produce_version_gets_its_response_delayed) {
    broker_config cfg;
    cfg.quota_window_num = 2;
    test_broker tb(cfg);
    test_client c(tb.port());
    ASSERT_EQ(alter(c, quota_entry({{"user", "ANONYMOUS"}}, {{"producer_byte_rate", 500, false}})),
              0);
    auto batch = make_batch(200);
    c.call<produce_response>(produce_of(batch), 5);
    auto start = clk::now();
    auto r = c.call<produce_response>(produce_of(batch), 5);
    ASSERT_GT(r.throttle_time_ms, 0);
    EXPECT_GE(ms_since(start), r.throttle_time_ms - 20);
}

TEST(client_quotas, request_time_over_its_percentage_throttles_any_api) {
    test_broker tb;
    test_client c(tb.port());
    ASSERT_EQ(
        alter(c, quota_entry({{"user", std::nullopt}}, {{"request_percentage", 1e-6, false}})), 0);
    metadata_request m;
    m.topics = std::nullopt;
    int32_t throttle = 0;
    for (int i = 0; i < 3 && throttle == 0; ++i)
        throttle = c.call<metadata_response>(m, 9).throttle_time_ms;
    EXPECT_GT(throttle, 0);
    // ApiVersions is exempt.
    EXPECT_EQ(c.call<api_versions_response>(api_versions_request{}, 3).throttle_time_ms, 0);
}

create_topics_request create_of(const std::string& name, int32_t partitions) {
    create_topics_request r;
    r.timeout_ms = 5000;
    create_topics_request::creatable_topic t;
    t.name = name;
    t.num_partitions = partitions;
    t.replication_factor = 1;
    r.topics.push_back(std::move(t));
    return r;
}

TEST(client_quotas, the_controller_mutation_rate_refuses_recent_versions_and_throttles_old_ones) {
    test_broker tb;
    test_client c(tb.port());
    ASSERT_EQ(
        alter(c, quota_entry({{"client-id", "test"}}, {{"controller_mutation_rate", 1, false}})),
        0);
    // Not over the quota yet: accepted (and now far over it: 30 partitions).
    auto first = c.call<create_topics_response>(create_of("m1", 30), 6);
    ASSERT_EQ(first.topics.at(0).error_code, 0);
    EXPECT_GT(first.throttle_time_ms, 0);
    auto refused = c.call<create_topics_response>(create_of("m2", 1), 6);
    EXPECT_EQ(refused.topics.at(0).error_code, handlers::k_throttling_quota_exceeded);
    EXPECT_GT(refused.throttle_time_ms, 0);
    EXPECT_FALSE(tb.deps().topics.describe("m2"));
    // v5 clients do not know the error: created, and throttled.
    auto old = c.call<create_topics_response>(create_of("m3", 1), 5);
    EXPECT_EQ(old.topics.at(0).error_code, 0);
    EXPECT_GT(old.throttle_time_ms, 0);
}

}  // namespace
}  // namespace quotas_test
}  // namespace spate::broker::test
