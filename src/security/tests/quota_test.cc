#include "security/quota.h"
#include "security/quota_codec.h"

#include <gtest/gtest.h>

namespace spate::security {
namespace quota_test {
namespace {

using opt = std::optional<std::string>;

TEST(token_bucket, refills_at_its_rate_up_to_its_burst) {
    token_bucket b(200, 0);
    b.take(300, 100, 200, 0);
    EXPECT_DOUBLE_EQ(b.tokens(100, 200, 0), -100);
    EXPECT_EQ(b.wait_ms(100, 200, 0), 1000);
    EXPECT_EQ(b.wait_ms(100, 200, 500), 500);
    EXPECT_EQ(b.wait_ms(100, 200, 1000), 0);
    EXPECT_DOUBLE_EQ(b.tokens(100, 200, 10000), 200);
    EXPECT_FALSE(b.full(2000));
    EXPECT_TRUE(b.full(3000));
}

TEST(quota_manager, the_most_specific_entity_applies_in_kafkas_order) {
    quota_manager q;
    auto k = quota_kind::producer_byte_rate;
    q.set({opt{}, opt("<default>")}, k, 8);
    EXPECT_EQ(q.applying("u", "c", k), 8);
    q.set({opt{}, opt("c")}, k, 7);
    EXPECT_EQ(q.applying("u", "c", k), 7);
    q.set({opt("<default>"), opt{}}, k, 6);
    EXPECT_EQ(q.applying("u", "c", k), 6);
    q.set({opt("<default>"), opt("<default>")}, k, 5);
    EXPECT_EQ(q.applying("u", "c", k), 5);
    q.set({opt("<default>"), opt("c")}, k, 4);
    EXPECT_EQ(q.applying("u", "c", k), 4);
    q.set({opt("u"), opt{}}, k, 3);
    EXPECT_EQ(q.applying("u", "c", k), 3);
    q.set({opt("u"), opt("<default>")}, k, 2);
    EXPECT_EQ(q.applying("u", "c", k), 2);
    q.set({opt("u"), opt("c")}, k, 1);
    EXPECT_EQ(q.applying("u", "c", k), 1);
    EXPECT_EQ(q.applying("other", "x", k), 5);
    EXPECT_FALSE(q.applying("u", "c", quota_kind::consumer_byte_rate).has_value());
    q.set({opt("u"), opt("c")}, k, std::nullopt);
    EXPECT_EQ(q.applying("u", "c", k), 2);
}

TEST(quota_manager, a_client_over_its_rate_is_told_to_wait_in_proportion) {
    quota_manager q(1000, 2);  // a burst of two windows' worth
    auto k = quota_kind::consumer_byte_rate;
    q.set({opt("u"), opt{}}, k, 100);
    EXPECT_EQ(q.record("nobody-quota", "c", quota_kind::producer_byte_rate, 1e9, 0), 0);
    EXPECT_EQ(q.record("u", "c", k, 150, 0), 0);
    // 50 bytes over at 100 bytes/s: half a second.
    EXPECT_EQ(q.record("u", "c", k, 100, 0), 500);
    EXPECT_EQ(q.throttle_ms("u", "c", k, 0), 500);  // peeking takes nothing
    EXPECT_EQ(q.throttle_ms("u", "c", k, 0), 500);
    EXPECT_EQ(q.throttle_ms("u", "c", k, 250), 250);
    // Far over: capped at one window, as Kafka bounds client throttle times.
    EXPECT_EQ(q.record("u", "c", k, 1e6, 0), 1000);
    // The debt is paid at the quota's rate: 1e6 bytes at 100/s.
    EXPECT_GT(q.record("u", "c", k, 1, 9'000'000), 0);
    EXPECT_EQ(q.record("u", "c", k, 1, 10'100'000), 0);
}

TEST(quota_manager, the_burst_is_the_rate_over_all_samples_and_a_refund_gives_back) {
    quota_manager q(1000, 2);
    auto k = quota_kind::consumer_byte_rate;
    EXPECT_FALSE(q.burst("u", "c", k).has_value());
    q.set({opt("u"), opt{}}, k, 100);
    EXPECT_EQ(q.burst("u", "c", k), 200);
    EXPECT_EQ(q.record("u", "c", k, 150, 0), 0);
    EXPECT_GT(q.record("u", "c", k, 150, 0), 0);
    EXPECT_EQ(q.record("u", "c", k, -150, 0), 0);  // refunded: under the quota again
}

TEST(quota_manager, a_users_quota_is_shared_by_its_clients_a_default_one_is_not) {
    quota_manager q(1000, 2);
    auto k = quota_kind::producer_byte_rate;
    q.set({opt("shared"), opt{}}, k, 100);
    q.set({opt("<default>"), opt{}}, k, 100);
    EXPECT_EQ(q.record("shared", "a", k, 150, 0), 0);
    EXPECT_GT(q.record("shared", "b", k, 150, 0), 0);  // one bucket for the user
    EXPECT_EQ(q.record("x", "a", k, 150, 0), 0);
    EXPECT_EQ(q.record("y", "a", k, 150, 0), 0);  // each user its own bucket
}

TEST(quota_manager, kinds_parse_by_kafka_name_and_none_tracks_what_is_set) {
    for (auto k : k_quota_kinds)
        EXPECT_EQ(quota_kind_of(quota_kind_name(k)), k);
    EXPECT_FALSE(quota_kind_of("connection_creation_rate").has_value());
    EXPECT_TRUE(quota_kind_is_integral(quota_kind::producer_byte_rate));
    EXPECT_FALSE(quota_kind_is_integral(quota_kind::controller_mutation_rate));
    quota_manager q;
    EXPECT_TRUE(q.none(quota_kind::controller_mutation_rate));
    q.set_all({opt("u"), opt{}},
              {{quota_kind::controller_mutation_rate, 5}, {quota_kind::request_percentage, 200}});
    EXPECT_FALSE(q.none(quota_kind::controller_mutation_rate));
    EXPECT_TRUE(q.none(quota_kind::producer_byte_rate));
    EXPECT_EQ(q.configured({opt("u"), opt{}}).size(), 2u);
    EXPECT_EQ(q.entries().size(), 1u);
    q.set_all({opt("u"), opt{}}, {});
    EXPECT_TRUE(q.entries().empty());
    EXPECT_TRUE(q.none(quota_kind::controller_mutation_rate));
    // No quota: nothing recorded, no wait.
    EXPECT_EQ(q.record("u", "c", quota_kind::controller_mutation_rate, 1e9, 0), 0);
    EXPECT_EQ(q.throttle_ms("u", "c", quota_kind::controller_mutation_rate, 0), 0);
}

TEST(quota_codec, entities_and_values_round_trip_with_defaults_as_null) {
    for (const quota_entity& e :
         {quota_entity{opt("alice"), opt{}}, quota_entity{opt{}, opt("<default>")},
          quota_entity{opt("<default>"), opt("app")}}) {
        auto key = encode_quota_key(e);
        auto back = decode_quota_key(key);
        ASSERT_TRUE(back.ok()) << key;
        EXPECT_EQ(*back, e);
    }
    EXPECT_EQ(encode_quota_key({opt("<default>"), opt("app")}),
              R"({"client-id":"app","user":null})");
    quota_values v{{quota_kind::producer_byte_rate, 1048576},
                   {quota_kind::request_percentage, 2.5}};
    auto back = decode_quota_values(encode_quota_values(v));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, v);
}

TEST(quota_codec, malformed_records_are_refused) {
    for (const char* key : {"", "[]", "{}", R"({"user":1})", R"({"ip":"1.2.3.4"})",
                            R"({"user":"<default>"})", "{not json"})
        EXPECT_FALSE(decode_quota_key(key).ok()) << key;
    for (const char* value : {"", "{}", R"({"version":2,"quotas":{}})", R"({"version":1})",
                              R"({"version":1,"quotas":{"bogus":1}})",
                              R"({"version":1,"quotas":{"producer_byte_rate":"1"}})",
                              R"({"version":1,"quotas":{"producer_byte_rate":-5}})"})
        EXPECT_FALSE(decode_quota_values(value).ok()) << value;
}

}  // namespace
}  // namespace quota_test
}  // namespace spate::security
