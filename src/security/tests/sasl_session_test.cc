#include "security/sasl_session.h"

#include <gtest/gtest.h>

namespace spate::security {
namespace sasl_session_test {
namespace {

using namespace std::string_literals;

class sasl_session_test : public ::testing::Test {
  protected:
    void SetUp() override {
        _users.upsert("alice",
                      make_scram_credential(scram_mechanism::sha512, "secret", "", 4096).value());
    }
    credential_store _users;
    std::vector<std::string> _all{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
};

TEST_F(sasl_session_test, plain_checks_the_password_against_the_stored_scram_credential) {
    sasl_session s(_users, _all);
    ASSERT_TRUE(s.select("PLAIN").ok());
    auto out = s.step("\0alice\0secret"s);
    ASSERT_TRUE(out.ok());
    EXPECT_TRUE(out->empty());
    EXPECT_EQ(s.principal(), "User:alice");
}

TEST_F(sasl_session_test, scram_completes_in_two_steps_with_the_principal) {
    sasl_session s(_users, _all);
    ASSERT_TRUE(s.select("SCRAM-SHA-512").ok());
    scram_client c(scram_mechanism::sha512, "alice", "secret");
    auto first = s.step(c.first());
    ASSERT_TRUE(first.ok());
    EXPECT_FALSE(s.complete());
    auto last = s.step(c.final(first.value()).value());
    ASSERT_TRUE(last.ok());
    EXPECT_TRUE(c.verify(last.value()).ok());
    EXPECT_EQ(s.principal(), "User:alice");
    EXPECT_EQ(s.mechanism(), "SCRAM-SHA-512");
}

TEST_F(sasl_session_test, every_failure_reads_the_same_to_the_client) {
    std::vector<std::string> messages;
    auto attempt = [&](const std::string& mech, const std::string& user, const std::string& pw) {
        sasl_session s(_users, _all);
        EXPECT_TRUE(s.select(mech).ok());
        result<std::string> r = std::string();
        if (mech == "PLAIN") {
            r = s.step("\0"s + user + "\0"s + pw);
        } else {
            scram_client c(*parse_scram_mechanism(mech), user, pw);
            r = s.step(c.first());
            if (r.ok()) r = s.step(c.final(r.value()).value());
        }
        EXPECT_FALSE(r.ok()) << mech << " " << user;
        if (!r.ok()) messages.push_back(r.err().message);
        EXPECT_FALSE(s.complete());
        EXPECT_EQ(s.attempted_user(), user);
        EXPECT_FALSE(s.failure_reason().empty());
        // A failed session accepts nothing more.
        EXPECT_FALSE(s.step("anything").ok());
    };
    attempt("PLAIN", "alice", "wrong");
    attempt("PLAIN", "mallory", "secret");
    attempt("SCRAM-SHA-512", "alice", "wrong");
    attempt("SCRAM-SHA-512", "mallory", "secret");
    attempt("SCRAM-SHA-256", "alice", "secret");  // alice has no SHA-256 credential
    ASSERT_EQ(messages.size(), 5u);
    for (const auto& m : messages)
        EXPECT_EQ(m, k_authentication_failed);
}

TEST_F(sasl_session_test, only_enabled_mechanisms_are_selected_once) {
    sasl_session s(_users, {"SCRAM-SHA-512"});
    EXPECT_EQ(s.select("PLAIN").err().code, errc::unsupported);
    EXPECT_EQ(s.select("GSSAPI").err().code, errc::unsupported);
    EXPECT_TRUE(s.select("SCRAM-SHA-512").ok());
    EXPECT_FALSE(s.select("SCRAM-SHA-512").ok());
    sasl_session none(_users, _all);
    EXPECT_FALSE(none.step("x").ok());  // no mechanism chosen
    EXPECT_EQ(session_lifetime_ms(0), 0);
    EXPECT_EQ(session_lifetime_ms(60000), 60000);
}

}  // namespace
}  // namespace sasl_session_test
}  // namespace spate::security
