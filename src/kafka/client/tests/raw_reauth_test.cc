// raw_connection's re-authentication (KIP-368) against a real broker (the
// build's `spate serve`, kafka/client/testing/broker_process.h) whose only
// listener is SASL_PLAINTEXT with connections.max.reauth.ms=1000: the
// broker closes a connection that sends anything but SaslHandshake /
// SaslAuthenticate once its session expired, so a connection that keeps
// working past several lifetimes re-authenticated in time.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "kafka/client/raw_client.h"
#include "kafka/client/testing/broker_process.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"

namespace spate::kafka::client {
namespace raw_reauth_test {
namespace {

namespace proto = kafka::protocol;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

constexpr int64_t k_lifetime_ms = 1000;

class raw_connection_reauth : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(_broker.start()) << _broker.error();
        _config = _broker.client();
        _config.security_protocol = security_protocol::sasl_plaintext;
        _config.sasl_mechanism = sasl_mechanism::scram_sha_512;
        _config.sasl_username = "alice";
        _config.sasl_password = "alice-secret";
    }

    // One Metadata round trip (all topics): the broker's answer names itself.
    static void expect_metadata(raw_connection& c) {
        proto::metadata_request req;
        req.topics = std::nullopt;
        auto r = c.call<proto::metadata_response>(req, 1);
        ASSERT_TRUE(r.ok()) << r.err().message;
        EXPECT_EQ(r->brokers.size(), 1u);
    }

    testing::broker_process _broker{
        SPATE_BINARY,
        {.properties = {"listeners=SASL_PLAINTEXT://127.0.0.1:0",
                        "sasl.enabled.mechanisms=SCRAM-SHA-512",
                        "connections.max.reauth.ms=" + std::to_string(k_lifetime_ms)},
         .users = {{"alice", "alice-secret"}}}};
    client_config _config;
};

TEST(raw_reauthentication_delay, is_85_to_95_percent_of_the_session_lifetime) {
    EXPECT_EQ(reauthentication_delay(1000, 0.0), milliseconds(850));
    EXPECT_EQ(reauthentication_delay(1000, 0.5), milliseconds(900));
    EXPECT_EQ(reauthentication_delay(1000, 0.9999), milliseconds(949));
    EXPECT_EQ(reauthentication_delay(3600000, 1.0 / 3), milliseconds(3180000));
}

TEST_F(raw_connection_reauth, schedules_reauthentication_within_the_session_lifetime) {
    auto before = steady::now();
    auto c = raw_connection::open_bootstrap(_config);
    ASSERT_TRUE(c.ok()) << c.err().message;
    auto after = steady::now();
    EXPECT_EQ((*c)->authentications(), 1);
    auto due = (*c)->reauthentication_due();
    ASSERT_TRUE(due.has_value());
    EXPECT_GE(*due, before + milliseconds(k_lifetime_ms * 85 / 100));
    EXPECT_LE(*due, after + milliseconds(k_lifetime_ms * 95 / 100));
}

TEST_F(raw_connection_reauth, a_busy_connection_stays_usable_past_several_session_lifetimes) {
    auto c = raw_connection::open_bootstrap(_config);
    ASSERT_TRUE(c.ok()) << c.err().message;
    // Requests back to back for three lifetimes: each one would close the
    // connection if it reached the broker after the session expired.
    auto until = steady::now() + milliseconds(3 * k_lifetime_ms);
    int calls = 0;
    while (steady::now() < until) {
        ASSERT_NO_FATAL_FAILURE(expect_metadata(**c)) << "after " << calls << " calls";
        ++calls;
    }
    // Re-authenticated at ~0.9, ~1.8, ~2.7 s.
    EXPECT_GE((*c)->authentications(), 3);
    EXPECT_NE(_broker.log_text().find("as User:alice (SCRAM-SHA-512) again"), std::string::npos);
}

TEST_F(raw_connection_reauth, an_idle_connection_reauthenticates_at_its_next_request) {
    auto c = raw_connection::open_bootstrap(_config);
    ASSERT_TRUE(c.ok()) << c.err().message;
    ASSERT_NO_FATAL_FAILURE(expect_metadata(**c));
    // Idle until the broker's session is over (the broker measures it from
    // the end of the login, before the client's due time).
    auto due = (*c)->reauthentication_due();
    ASSERT_TRUE(due.has_value());
    std::this_thread::sleep_until(*due + milliseconds(k_lifetime_ms * 15 / 100));
    ASSERT_NO_FATAL_FAILURE(expect_metadata(**c));
    EXPECT_EQ((*c)->authentications(), 2);
}

}  // namespace
}  // namespace raw_reauth_test
}  // namespace spate::kafka::client
