// pgwire client authentication (auth.h): libpq's SCRAM-SHA-256 and
// cleartext password exchanges against stored SCRAM credentials, failures
// alike for unknown users and wrong passwords, and malformed authentication
// messages closing only their own connection.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "net/runtime.h"
#include "pgwire/server.h"
#include "pgwire/tests/fake_session.h"
#include "security/credential_store.h"

namespace spate::pgwire {
namespace authentication_test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using conn_ptr = std::unique_ptr<PGconn, decltype(&PQfinish)>;

constexpr int32_t k_delay_ms = 150;

// A blocking client speaking raw authentication messages.
class auth_client {
  public:
    explicit auth_client(uint16_t port) : _s(_io) {
        _s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }
    void startup(const std::string& user) {
        std::string body;
        append_i32(body, 196608);
        body += std::string("user\0", 5) + user + std::string("\0database\0spate\0\0", 17);
        std::string m;
        append_i32(m, static_cast<int32_t>(body.size() + 4));
        send(m + body);
    }
    void send(std::string_view bytes) { asio::write(_s, asio::buffer(bytes)); }
    void send_message(char type, std::string_view body) {
        std::string m(1, type);
        append_i32(m, static_cast<int32_t>(body.size() + 4));
        m += body;
        send(m);
    }
    // {type, body}; type 0 at EOF.
    std::pair<char, std::string> read_message() {
        char header[5];
        boost::system::error_code ec;
        asio::read(_s, asio::buffer(header), ec);
        if (ec) return {0, ""};
        uint32_t len = (uint32_t(uint8_t(header[1])) << 24) | (uint32_t(uint8_t(header[2])) << 16) |
                       (uint32_t(uint8_t(header[3])) << 8) | uint8_t(header[4]);
        std::string body(len - 4, '\0');
        asio::read(_s, asio::buffer(body), ec);
        if (ec) return {0, ""};
        return {header[0], body};
    }
    // The SQLSTATE of an ErrorResponse body.
    static std::string sqlstate(const std::string& body) {
        for (size_t i = 0; i < body.size() && body[i];) {
            size_t end = body.find('\0', i + 1);
            if (body[i] == 'C') return body.substr(i + 1, end - i - 1);
            i = end + 1;
        }
        return "";
    }
    static void append_i32(std::string& s, int32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            s.push_back(static_cast<char>(v >> shift));
    }
    // The SASLInitialResponse body for `data`.
    static std::string initial_response(std::string_view mechanism, std::string_view data) {
        std::string body(mechanism);
        body.push_back('\0');
        append_i32(body, static_cast<int32_t>(data.size()));
        body += data;
        return body;
    }

  private:
    asio::io_context _io;
    tcp::socket _s;
};

class pgwire_auth : public ::testing::Test {
  protected:
    void SetUp() override {
        auto alice = security::make_scram_credential(security::scram_mechanism::sha256,
                                                     "alice-secret", "", 4096);
        ASSERT_TRUE(alice.ok());
        users.upsert("alice", alice.value());
        // A user with a SHA-512 credential only: password works, SCRAM-SHA-256 not.
        auto bob = security::make_scram_credential(security::scram_mechanism::sha512, "bob-secret",
                                                   "", 4096);
        ASSERT_TRUE(bob.ok());
        users.upsert("bob", bob.value());
        rt.start(2);
        sessions = std::make_shared<testing::fake_session_factory>();
    }
    void TearDown() override {
        if (listener) listener->stop();
        rt.stop();
    }

    void start(auth_method method, bool require_tls = false) {
        net::listener_options o;
        o.name = "pgwire";
        o.flag = "--pg-listen";
        pg_options pg;
        pg.auth.method = method;
        pg.auth.require_tls = require_tls;
        pg.auth.failed_delay_ms = k_delay_ms;
        pg.auth.users = users.lookup();
        pg.auth.audit = [this](const security::audit_event& e) {
            std::lock_guard lock(mu);
            events.push_back(e);
        };
        listener = std::make_unique<net::listener>(o, make_pg_connection_factory(sessions, pg));
        ASSERT_TRUE(listener->start(rt).ok());
    }

    conn_ptr connect(const std::string& user, const std::string& password) {
        std::string info = "host=127.0.0.1 port=" + std::to_string(listener->port()) +
                           " user=" + user + " password=" + password +
                           " dbname=spate connect_timeout=10 sslmode=disable";
        return conn_ptr(PQconnectdb(info.c_str()), &PQfinish);
    }

    std::vector<security::audit_event> audit_events() {
        std::lock_guard lock(mu);
        return events;
    }

    // The server still serves a correct login.
    void expect_alice_can_log_in() {
        auto c = connect("alice", "alice-secret");
        EXPECT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
    }

    security::credential_store users;
    net::runtime rt;
    std::shared_ptr<testing::fake_session_factory> sessions;
    std::unique_ptr<net::listener> listener;
    std::mutex mu;
    std::vector<security::audit_event> events;  // under mu
};

TEST_F(pgwire_auth, scram_sha_256_logs_in_with_the_stored_credential_and_audits_it) {
    start(auth_method::scram_sha_256);
    auto c = connect("alice", "alice-secret");
    ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
    {
        std::lock_guard lock(sessions->mu);
        EXPECT_EQ(sessions->last.user, "alice");
        EXPECT_EQ(sessions->last.principal, "User:alice");
        EXPECT_EQ(sessions->last.host, "127.0.0.1");
    }
    auto ev = audit_events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, security::audit_kind::authentication);
    EXPECT_TRUE(ev[0].success);
    EXPECT_EQ(ev[0].principal, "User:alice");
    EXPECT_EQ(ev[0].host, "127.0.0.1");
    EXPECT_EQ(ev[0].listener, "pgwire");
    EXPECT_EQ(ev[0].mechanism, "SCRAM-SHA-256");
}

TEST_F(pgwire_auth, a_wrong_password_and_an_unknown_user_fail_alike_after_the_delay) {
    start(auth_method::scram_sha_256);
    auto started = std::chrono::steady_clock::now();
    auto wrong = connect("alice", "nope");
    auto took = std::chrono::steady_clock::now() - started;
    auto unknown = connect("mallory", "nope");
    ASSERT_EQ(PQstatus(wrong.get()), CONNECTION_BAD);
    ASSERT_EQ(PQstatus(unknown.get()), CONNECTION_BAD);
    EXPECT_GE(took, std::chrono::milliseconds(k_delay_ms));
    std::string wrong_msg = PQerrorMessage(wrong.get());
    std::string unknown_msg = PQerrorMessage(unknown.get());
    EXPECT_NE(wrong_msg.find("password authentication failed for user \"alice\""),
              std::string::npos)
        << wrong_msg;
    EXPECT_NE(unknown_msg.find("password authentication failed for user \"mallory\""),
              std::string::npos)
        << unknown_msg;
    auto ev = audit_events();
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_FALSE(ev[0].success);
    EXPECT_EQ(ev[0].principal, "User:alice");
    EXPECT_FALSE(ev[1].success);
    EXPECT_EQ(ev[1].principal, "User:mallory");
    EXPECT_EQ(sessions->opened.load(), 0);
}

TEST_F(pgwire_auth, a_user_without_a_sha_256_credential_cannot_use_scram_sha_256) {
    start(auth_method::scram_sha_256);
    auto c = connect("bob", "bob-secret");
    EXPECT_EQ(PQstatus(c.get()), CONNECTION_BAD);
}

TEST_F(pgwire_auth, password_checks_the_cleartext_password_against_any_mechanism) {
    start(auth_method::password);
    auto a = connect("alice", "alice-secret");
    EXPECT_EQ(PQstatus(a.get()), CONNECTION_OK) << PQerrorMessage(a.get());
    auto b = connect("bob", "bob-secret");
    EXPECT_EQ(PQstatus(b.get()), CONNECTION_OK) << PQerrorMessage(b.get());
    auto wrong = connect("bob", "alice-secret");
    EXPECT_EQ(PQstatus(wrong.get()), CONNECTION_BAD);
    EXPECT_NE(std::string(PQerrorMessage(wrong.get())).find("password authentication failed"),
              std::string::npos);
    auto ev = audit_events();
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(ev[0].mechanism, "password");
    EXPECT_TRUE(ev[0].success);
    EXPECT_TRUE(ev[1].success);
    EXPECT_FALSE(ev[2].success);
}

TEST_F(pgwire_auth, trust_takes_the_startup_user_and_audits_it) {
    start(auth_method::trust);
    auto c = connect("anyone", "ignored");
    ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
    std::lock_guard lock(sessions->mu);
    EXPECT_EQ(sessions->last.principal, "User:anyone");
    auto ev = audit_events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].mechanism, "trust");
}

TEST_F(pgwire_auth, required_tls_refuses_a_plaintext_client) {
    start(auth_method::scram_sha_256, true);
    auto c = connect("alice", "alice-secret");
    ASSERT_EQ(PQstatus(c.get()), CONNECTION_BAD);
    EXPECT_NE(std::string(PQerrorMessage(c.get())).find("requires TLS"), std::string::npos)
        << PQerrorMessage(c.get());
    EXPECT_EQ(sessions->opened.load(), 0);
}

TEST_F(pgwire_auth, channel_binding_is_refused_as_a_failed_login) {
    start(auth_method::scram_sha_256);
    auth_client c(listener->port());
    c.startup("alice");
    ASSERT_EQ(c.read_message().first, 'R');  // AuthenticationSASL
    c.send_message('p', auth_client::initial_response("SCRAM-SHA-256",
                                                      "p=tls-server-end-point,,n=,r=abcdefghijkl"));
    auto [type, body] = c.read_message();
    EXPECT_EQ(type, 'E');
    EXPECT_EQ(auth_client::sqlstate(body), "28P01");
    EXPECT_EQ(c.read_message().first, 0);  // closed
    expect_alice_can_log_in();
}

TEST_F(pgwire_auth, a_y_gs2_header_is_accepted) {
    start(auth_method::scram_sha_256);
    auth_client c(listener->port());
    c.startup("alice");
    ASSERT_EQ(c.read_message().first, 'R');
    c.send_message('p', auth_client::initial_response("SCRAM-SHA-256", "y,,n=,r=abcdefghijkl"));
    auto [type, body] = c.read_message();
    ASSERT_EQ(type, 'R');  // AuthenticationSASLContinue with the server-first message
    ASSERT_GE(body.size(), 4u);
    EXPECT_EQ(body[3], 11);
    EXPECT_EQ(body.substr(4, 14), "r=abcdefghijkl");
}

TEST_F(pgwire_auth, malformed_authentication_messages_close_only_their_connection) {
    start(auth_method::scram_sha_256);
    struct scenario {
        const char* what;
        char type;
        std::string body;
        std::string sqlstate;
    };
    std::vector<scenario> cases = {
        {"a query instead of a SASL response", 'Q', std::string("SELECT 1\0", 9), "08P01"},
        {"an unknown mechanism", 'p', auth_client::initial_response("SCRAM-SHA-1", "n,,n=,r=x"),
         "08P01"},
        {"a length past the body", 'p', std::string("SCRAM-SHA-256\0\0\0\0\x40n,,", 21), "08P01"},
        {"no client-first message", 'p', std::string("SCRAM-SHA-256\0\xff\xff\xff\xff", 18),
         "08P01"},
        {"a mechanism without its NUL", 'p', "SCRAM-SHA-256", "08P01"},
        {"a malformed gs2 header", 'p', auth_client::initial_response("SCRAM-SHA-256", "x,,n=,r=a"),
         "28P01"},
        {"an authzid", 'p', auth_client::initial_response("SCRAM-SHA-256", "n,a=bob,n=,r=abcdefgh"),
         "28P01"},
        {"no nonce", 'p', auth_client::initial_response("SCRAM-SHA-256", "n,,n="), "28P01"},
    };
    for (const auto& sc : cases) {
        SCOPED_TRACE(sc.what);
        auth_client c(listener->port());
        c.startup("alice");
        ASSERT_EQ(c.read_message().first, 'R');
        c.send_message(sc.type, sc.body);
        auto [type, body] = c.read_message();
        EXPECT_EQ(type, 'E');
        EXPECT_EQ(auth_client::sqlstate(body), sc.sqlstate);
        EXPECT_EQ(c.read_message().first, 0);
    }
    expect_alice_can_log_in();
    EXPECT_EQ(sessions->opened.load(), 1);
    auto ev = audit_events();
    ASSERT_EQ(ev.size(), cases.size() + 1);
    for (size_t i = 0; i < cases.size(); ++i)
        EXPECT_FALSE(ev[i].success) << cases[i].what;
}

TEST_F(pgwire_auth, a_bad_client_final_message_fails_the_login) {
    start(auth_method::scram_sha_256);
    auth_client c(listener->port());
    c.startup("alice");
    ASSERT_EQ(c.read_message().first, 'R');
    c.send_message('p', auth_client::initial_response("SCRAM-SHA-256", "n,,n=,r=abcdefghijkl"));
    ASSERT_EQ(c.read_message().first, 'R');
    c.send_message('p', "c=biws,r=wrong-nonce,p=AAAA");
    auto [type, body] = c.read_message();
    EXPECT_EQ(type, 'E');
    EXPECT_EQ(auth_client::sqlstate(body), "28P01");
    EXPECT_EQ(c.read_message().first, 0);
}

TEST_F(pgwire_auth, an_oversized_password_message_is_a_protocol_violation) {
    start(auth_method::password);
    auth_client c(listener->port());
    c.startup("alice");
    ASSERT_EQ(c.read_message().first, 'R');
    std::string header = "p";
    auth_client::append_i32(header, 70004);  // the body is never sent
    c.send(header);
    auto [type, body] = c.read_message();
    EXPECT_EQ(type, 'E');
    EXPECT_EQ(auth_client::sqlstate(body), "08P01");
    expect_alice_can_log_in();
}

}  // namespace
}  // namespace authentication_test
}  // namespace spate::pgwire
