#include "security/quota.h"

#include <gtest/gtest.h>

namespace spate::security {
namespace quota_test {
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
    // Far over: capped at the span.
    EXPECT_EQ(q.record("u", "c", k, 1e6, 0), 1001);
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

}  // namespace
}  // namespace quota_test
}  // namespace spate::security
