#include "security/quota.h"
#include "security/quota_codec.h"

#include <gtest/gtest.h>

namespace spate::security {
namespace {

using opt = std::optional<std::string>;

TEST(rate_window, a_burst_is_spread_over_the_whole_measured_span_and_expires) {
    rate_window w(1000, 11);
    w.record(1000, 0);
    EXPECT_EQ(w.span_ms(500), 10 * 1000 + 500 + 1);
    EXPECT_NEAR(w.rate(500), 1000.0 * 1000 / 10501, 1e-6);
    w.record(1000, 3000);
    EXPECT_NEAR(w.rate(3000), 2000.0 * 1000 / 10001, 1e-6);
    EXPECT_EQ(w.rate(30000), 0.0);
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
    quota_manager q(1000, 2);
    auto k = quota_kind::consumer_byte_rate;
    q.set({opt("u"), opt{}}, k, 100);
    EXPECT_EQ(q.record("nobody-quota", "c", quota_kind::producer_byte_rate, 1e9, 0), 0);
    EXPECT_EQ(q.record("u", "c", k, 90, 0), 0);
    // 150 bytes over a 1001 ms span: 50% over the bound, half the span.
    int64_t wait = q.record("u", "c", k, 60, 0);
    EXPECT_NEAR(double(wait), 0.4985 * 1001, 2.0);
    EXPECT_EQ(q.throttle_ms("u", "c", k, 0), wait);  // peeking records nothing
    EXPECT_EQ(q.throttle_ms("u", "c", k, 0), wait);
    // Far over: capped at one window, as Kafka bounds client throttle times.
    EXPECT_EQ(q.record("u", "c", k, 1e6, 0), 1000);
    // Once the windows pass, the client is under its quota again.
    EXPECT_EQ(q.record("u", "c", k, 10, 10000), 0);
}

TEST(quota_manager, a_users_quota_is_shared_by_its_clients_a_default_one_is_not) {
    quota_manager q(1000, 2);
    auto k = quota_kind::producer_byte_rate;
    q.set({opt("shared"), opt{}}, k, 100);
    q.set({opt("<default>"), opt{}}, k, 100);
    EXPECT_EQ(q.record("shared", "a", k, 90, 0), 0);
    EXPECT_GT(q.record("shared", "b", k, 90, 0), 0);  // one rate for the user
    EXPECT_EQ(q.record("x", "a", k, 90, 0), 0);
    EXPECT_EQ(q.record("y", "a", k, 90, 0), 0);  // each user its own rate
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

TEST(rate_window, is_idle_once_every_window_passed) {
    rate_window w(100, 3);
    EXPECT_TRUE(w.idle(0));
    w.record(5, 50);
    EXPECT_FALSE(w.idle(250));
    EXPECT_TRUE(w.idle(400));
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
}  // namespace spate::security
