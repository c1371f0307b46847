// SASL on a SASL_PLAINTEXT listener: the pre-authentication gate, SaslHandshake
// v0 (raw tokens) and v1 (SaslAuthenticate framing), PLAIN and SCRAM, failed
// logins, session expiry and re-authentication, and the SCRAM credential
// APIs with their persistence in __spate_credentials.

#include <chrono>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "broker/connection_auth.h"
#include "broker/credential_log.h"
#include "broker/tests/test_client.h"
#include "kafka/protocol/generated/alter_user_scram_credentials_request.h"
#include "kafka/protocol/generated/alter_user_scram_credentials_response.h"
#include "kafka/protocol/generated/api_versions_request.h"
#include "kafka/protocol/generated/api_versions_response.h"
#include "kafka/protocol/generated/describe_user_scram_credentials_request.h"
#include "kafka/protocol/generated/describe_user_scram_credentials_response.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"
#include "kafka/protocol/generated/sasl_authenticate_request.h"
#include "kafka/protocol/generated/sasl_authenticate_response.h"
#include "kafka/protocol/generated/sasl_handshake_request.h"
#include "kafka/protocol/generated/sasl_handshake_response.h"
#include "security/scram.h"

namespace spate::broker::test {
namespace sasl_test {
namespace {

using namespace kafka::protocol;
using security::scram_mechanism;

std::vector<std::byte> bytes_of(std::string_view s) {
    const auto* b = reinterpret_cast<const std::byte*>(s.data());
    return {b, b + s.size()};
}

std::string text_of(const std::vector<std::byte>& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

broker_config sasl_config(int64_t reauth_ms = 0) {
    broker_config c;
    c.listeners = {{"PLAINTEXT", "127.0.0.1", 0}, {"SASL_PLAINTEXT", "127.0.0.1", 0}};
    c.connections_max_reauth_ms = reauth_ms;
    c.connection_failed_authentication_delay_ms = 20;
    return c;
}

alter_user_scram_credentials_request::scram_credential_upsertion upsertion(
    const std::string& user, const std::string& password, int8_t mech = 2,
    int32_t iterations = 4096) {
    auto m = mech == 1 ? scram_mechanism::sha256 : scram_mechanism::sha512;
    std::string salt = "salt-of-" + user;
    return {user, mech, iterations, bytes_of(salt),
            bytes_of(security::salted_password_of(m, password, salt, iterations))};
}

void create_user(test_broker& tb, const std::string& user, const std::string& password) {
    test_client admin(tb.port());
    alter_user_scram_credentials_request req;
    req.upsertions = {upsertion(user, password, 1), upsertion(user, password, 2)};
    auto r = admin.call<alter_user_scram_credentials_response>(req, 0);
    ASSERT_EQ(r.results.size(), 1u);
    ASSERT_EQ(r.results[0].error_code, 0) << r.results[0].error_message.value_or("");
}

metadata_request all_topics() {
    metadata_request m;
    m.topics = std::nullopt;
    return m;
}

int16_t handshake(test_client& c, const std::string& mechanism, int16_t version = 1) {
    sasl_handshake_request h;
    h.mechanism = mechanism;
    return c.call<sasl_handshake_response>(h, version).error_code;
}

sasl_authenticate_response authenticate(test_client& c, std::string_view token,
                                        int16_t version = 2) {
    sasl_authenticate_request a;
    a.auth_bytes = bytes_of(token);
    return c.call<sasl_authenticate_response>(a, version);
}

std::string plain(const std::string& user, const std::string& password) {
    return std::string("\0", 1) + user + std::string("\0", 1) + password;
}

TEST(sasl, requests_before_authentication_close_the_connection) {
    test_broker tb(sasl_config());
    test_client c(tb.listener_port("SASL_PLAINTEXT"));
    // ApiVersions is served before authentication.
    EXPECT_EQ(c.call<api_versions_response>(api_versions_request{}, 3).error_code, 0);
    c.send(all_topics(), 12);
    EXPECT_TRUE(c.closed_by_peer());
}

TEST(sasl, plain_over_handshake_v1_then_requests_are_served) {
    test_broker tb(sasl_config());
    create_user(tb, "alice", "pw");
    test_client c(tb.listener_port("SASL_PLAINTEXT"));
    EXPECT_EQ(handshake(c, "PLAIN"), 0);
    auto r = authenticate(c, plain("alice", "pw"));
    EXPECT_EQ(r.error_code, 0);
    EXPECT_EQ(r.session_lifetime_ms, 0);
    auto md = c.call<metadata_response>(all_topics(), 12);
    ASSERT_EQ(md.brokers.size(), 1u);
    // Metadata advertises the listener the client came in on.
    EXPECT_EQ(md.brokers[0].port, tb.listener_port("SASL_PLAINTEXT"));
}

TEST(sasl, unsupported_mechanism_lists_the_enabled_ones) {
    test_broker tb(sasl_config());
    test_client c(tb.listener_port("SASL_PLAINTEXT"));
    sasl_handshake_request h;
    h.mechanism = "GSSAPI";
    auto r = c.call<sasl_handshake_response>(h, 1);
    EXPECT_EQ(r.error_code, k_unsupported_sasl_mechanism);
    EXPECT_EQ(r.mechanisms, (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}));
}

TEST(sasl, wrong_password_and_unknown_user_fail_alike_then_close) {
    test_broker tb(sasl_config());
    create_user(tb, "alice", "pw");
    std::string messages[2];
    int i = 0;
    for (const auto& [user, pw] : {std::pair{"alice", "wrong"}, std::pair{"nobody", "pw"}}) {
        test_client c(tb.listener_port("SASL_PLAINTEXT"));
        EXPECT_EQ(handshake(c, "PLAIN"), 0);
        auto started = std::chrono::steady_clock::now();
        auto r = authenticate(c, plain(user, pw));
        EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(20));
        EXPECT_EQ(r.error_code, k_sasl_authentication_failed);
        messages[i++] = r.error_message.value_or("");
        EXPECT_TRUE(c.closed_by_peer());
    }
    EXPECT_EQ(messages[0], "Authentication failed: invalid credentials");
    EXPECT_EQ(messages[0], messages[1]);
}

TEST(sasl, scram_sha_512_exchange) {
    test_broker tb(sasl_config());
    create_user(tb, "alice", "pw");
    test_client c(tb.listener_port("SASL_PLAINTEXT"));
    EXPECT_EQ(handshake(c, "SCRAM-SHA-512"), 0);
    security::scram_client sc(scram_mechanism::sha512, "alice", "pw");
    auto first = authenticate(c, sc.first(), 1);
    ASSERT_EQ(first.error_code, 0);
    auto final_msg = sc.final(text_of(first.auth_bytes));
    ASSERT_TRUE(final_msg.ok());
    auto last = authenticate(c, *final_msg, 1);
    ASSERT_EQ(last.error_code, 0);
    EXPECT_TRUE(sc.verify(text_of(last.auth_bytes)).ok());
    EXPECT_EQ(c.call<metadata_response>(all_topics(), 12).brokers.size(), 1u);
}

TEST(sasl, handshake_v0_takes_raw_tokens) {
    test_broker tb(sasl_config());
    create_user(tb, "alice", "pw");
    test_client c(tb.listener_port("SASL_PLAINTEXT"));
    EXPECT_EQ(handshake(c, "PLAIN", 0), 0);
    // The token as a bare size-prefixed frame, no request header.
    std::string token = plain("alice", "pw");
    std::vector<std::byte> frame = {std::byte(0), std::byte(0), std::byte(0),
                                    std::byte(token.size())};
    auto body = bytes_of(token);
    frame.insert(frame.end(), body.begin(), body.end());
    c.send_raw(frame);
    auto reply = c.read_frame();
    ASSERT_TRUE(reply.has_value());
    EXPECT_TRUE(reply->empty());  // PLAIN's server token is empty
    EXPECT_EQ(c.call<metadata_response>(all_topics(), 12).brokers.size(), 1u);
}

TEST(sasl, handshake_v0_raw_token_failure_closes) {
    test_broker tb(sasl_config());
    test_client c(tb.listener_port("SASL_PLAINTEXT"));
    EXPECT_EQ(handshake(c, "PLAIN", 0), 0);
    std::string token = plain("nobody", "pw");
    std::vector<std::byte> frame = {std::byte(0), std::byte(0), std::byte(0),
                                    std::byte(token.size())};
    auto body = bytes_of(token);
    frame.insert(frame.end(), body.begin(), body.end());
    c.send_raw(frame);
    EXPECT_TRUE(c.closed_by_peer());
}

TEST(sasl, expired_session_closes_unless_reauthenticated) {
    test_broker tb(sasl_config(400));
    create_user(tb, "alice", "pw");
    test_client stale(tb.listener_port("SASL_PLAINTEXT"));
    test_client renewed(tb.listener_port("SASL_PLAINTEXT"));
    for (auto* c : {&stale, &renewed}) {
        EXPECT_EQ(handshake(*c, "PLAIN"), 0);
        auto r = authenticate(*c, plain("alice", "pw"));
        ASSERT_EQ(r.error_code, 0);
        EXPECT_GT(r.session_lifetime_ms, 0);
        EXPECT_LE(r.session_lifetime_ms, 400);
    }
    auto expiry = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
    // Re-authentication (a new handshake on the authenticated connection)
    // late in the session renews it for another 400 ms.
    std::this_thread::sleep_until(expiry - std::chrono::milliseconds(150));
    EXPECT_EQ(handshake(renewed, "PLAIN"), 0);
    ASSERT_EQ(authenticate(renewed, plain("alice", "pw")).error_code, 0);
    std::this_thread::sleep_until(expiry + std::chrono::milliseconds(50));
    stale.send(all_topics(), 12);
    EXPECT_TRUE(stale.closed_by_peer());
    // `renewed`'s session runs until ~250 ms after `stale`'s: still served.
    EXPECT_EQ(renewed.call<metadata_response>(all_topics(), 12).brokers.size(), 1u);
}

TEST(sasl, reauthentication_as_another_principal_fails) {
    test_broker tb(sasl_config(60000));
    create_user(tb, "alice", "pw");
    create_user(tb, "bob", "pw2");
    test_client c(tb.listener_port("SASL_PLAINTEXT"));
    EXPECT_EQ(handshake(c, "PLAIN"), 0);
    ASSERT_EQ(authenticate(c, plain("alice", "pw")).error_code, 0);
    EXPECT_EQ(handshake(c, "PLAIN"), 0);
    EXPECT_EQ(authenticate(c, plain("bob", "pw2")).error_code, k_sasl_authentication_failed);
    EXPECT_TRUE(c.closed_by_peer());
}

TEST(sasl, sasl_apis_on_a_plaintext_listener_are_illegal_state) {
    test_broker tb(sasl_config());
    test_client c(tb.port());
    EXPECT_EQ(handshake(c, "PLAIN"), k_illegal_sasl_state);
}

TEST(scram_credentials, alter_checks_like_kafka) {
    test_broker tb(sasl_config());
    test_client c(tb.port());
    alter_user_scram_credentials_request req;
    req.upsertions = {upsertion("few", "pw", 2, 100), upsertion("many", "pw", 2, 20000),
                      upsertion("dup", "pw", 1), upsertion("dup", "pw", 1), upsertion("", "pw")};
    req.upsertions.push_back(upsertion("mech", "pw"));
    req.upsertions.back().mechanism = 9;
    req.deletions = {{"ghost", 1}};
    auto r = c.call<alter_user_scram_credentials_response>(req, 0);
    std::map<std::string, int16_t> errors;
    for (const auto& u : r.results)
        errors[u.user] = u.error_code;
    EXPECT_EQ(errors["few"], k_unacceptable_credential);
    EXPECT_EQ(errors["many"], k_unacceptable_credential);
    EXPECT_EQ(errors["dup"], k_duplicate_resource);
    EXPECT_EQ(errors[""], k_unacceptable_credential);
    EXPECT_EQ(errors["mech"], k_unsupported_sasl_mechanism);
    EXPECT_EQ(errors["ghost"], k_resource_not_found);
    EXPECT_TRUE(tb.deps().credentials->store().users().empty());
}

TEST(scram_credentials, describe_and_persist) {
    test_broker tb(sasl_config());
    create_user(tb, "alice", "pw");
    test_client c(tb.port());
    describe_user_scram_credentials_request all;
    all.users = std::nullopt;
    auto r = c.call<describe_user_scram_credentials_response>(all, 0);
    ASSERT_EQ(r.results.size(), 1u);
    EXPECT_EQ(r.results[0].user, "alice");
    ASSERT_EQ(r.results[0].credential_infos.size(), 2u);
    EXPECT_EQ(r.results[0].credential_infos[0].iterations, 4096);

    describe_user_scram_credentials_request some;
    some.users = std::vector<describe_user_scram_credentials_request::user_name>{
        {"ghost"}, {"alice"}, {"alice"}};
    auto s = c.call<describe_user_scram_credentials_response>(some, 0);
    std::map<std::string, int16_t> errors;
    for (const auto& u : s.results)
        errors[u.user] = u.error_code;
    EXPECT_EQ(errors["ghost"], k_resource_not_found);
    EXPECT_EQ(errors["alice"], k_duplicate_resource);

    // Deleting one mechanism keeps the other; the log replays to the same store.
    alter_user_scram_credentials_request del;
    del.deletions = {{"alice", 1}};
    ASSERT_EQ(c.call<alter_user_scram_credentials_response>(del, 0).results.at(0).error_code, 0);
    credential_log replayed(tb.logs());
    ASSERT_TRUE(replayed.load().ok());
    auto creds = replayed.store().describe("alice");
    ASSERT_EQ(creds.size(), 1u);
    EXPECT_EQ(creds[0].first, scram_mechanism::sha512);
    EXPECT_TRUE(tb.deps().topics.is_internal(k_credentials_topic));
}

}  // namespace
}  // namespace sasl_test
}  // namespace spate::broker::test
