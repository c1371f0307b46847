// raw_connection's SASL client against a fake broker whose SCRAM side is
// security/scram.h's server (the broker's own).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "kafka/client/raw_client.h"
#include "kafka/protocol/generated/api_versions_response.h"
#include "kafka/protocol/generated/sasl_authenticate_request.h"
#include "kafka/protocol/generated/sasl_authenticate_response.h"
#include "kafka/protocol/generated/sasl_handshake_request.h"
#include "kafka/protocol/generated/sasl_handshake_response.h"
#include "security/scram.h"

namespace spate::kafka::client {
namespace raw_sasl_test {
namespace {

namespace proto = kafka::protocol;

constexpr const char* k_user = "admin";
constexpr const char* k_password = "admin-secret";

std::string text_of(const std::vector<std::byte>& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::vector<std::byte> bytes_of(const std::string& s) {
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    return {p, p + s.size()};
}

// A one-connection broker enabling `mechanism` (PLAIN or SCRAM-SHA-512 for
// admin/admin-secret): ApiVersions, SaslHandshake, then SaslAuthenticate
// rounds until the login succeeds or fails (error 58, like Kafka).
class sasl_broker {
  public:
    explicit sasl_broker(std::string mechanism) : _mechanism(std::move(mechanism)) {
        _listen = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(_listen, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(::listen(_listen, 1), 0);
        socklen_t len = sizeof a;
        ::getsockname(_listen, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        _thread = std::thread([this] { serve(); });
    }
    ~sasl_broker() {
        _thread.join();
        ::close(_listen);
    }

    uint16_t port = 0;
    bool authenticated = false;

  private:
    struct request {
        proto::request_header_info header;
        std::vector<std::byte> body;
        std::span<const std::byte> payload() const {
            return std::span<const std::byte>(body).subspan(header.header_size);
        }
    };

    std::optional<request> next(int fd) {
        std::byte prefix[4];
        if (::recv(fd, prefix, 4, MSG_WAITALL) != 4) return std::nullopt;
        auto size = proto::frame_size(prefix, 1 << 20);
        if (!size.ok()) return std::nullopt;
        request r;
        r.body.resize(*size);
        if (::recv(fd, r.body.data(), r.body.size(), MSG_WAITALL) != ssize_t(r.body.size()))
            return std::nullopt;
        auto h = proto::parse_request_header(r.body);
        if (!h.ok()) return std::nullopt;
        r.header = *h;
        return r;
    }

    template <typename Response>
    void answer(int fd, const request& r, const Response& resp) {
        std::vector<std::byte> out;
        proto::append_response_frame(out, r.header.correlation_id, r.header.api_version, resp);
        ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    }

    // The server's reply to one client token; nullopt: authentication failed.
    std::optional<std::string> step(const std::string& token) {
        if (_mechanism == "PLAIN") {
            if (token != std::string(1, '\0') + k_user + '\0' + k_password) return std::nullopt;
            authenticated = true;
            return "";
        }
        auto reply = _scram.step(token);
        if (!reply.ok()) return std::nullopt;
        authenticated = _scram.complete();
        return *reply;
    }

    void serve() {
        int fd = ::accept(_listen, nullptr, nullptr);
        ASSERT_GE(fd, 0);
        while (auto r = next(fd)) {
            if (r->header.api_key == 18) {
                proto::api_versions_response av;
                av.api_keys = {{17, 0, 1}, {36, 0, 2}};
                answer(fd, *r, av);
            } else if (r->header.api_key == 17) {
                auto req = proto::decode_message<proto::sasl_handshake_request>(
                    r->payload(), r->header.api_version);
                ASSERT_TRUE(req.ok());
                proto::sasl_handshake_response resp;
                resp.mechanisms = {_mechanism};
                if (req->mechanism != _mechanism) resp.error_code = 33;
                answer(fd, *r, resp);
            } else if (r->header.api_key == 36) {
                auto req = proto::decode_message<proto::sasl_authenticate_request>(
                    r->payload(), r->header.api_version);
                ASSERT_TRUE(req.ok());
                proto::sasl_authenticate_response resp;
                auto reply = step(text_of(req->auth_bytes));
                if (reply) {
                    resp.auth_bytes = bytes_of(*reply);
                } else {
                    resp.error_code = 58;
                    resp.error_message = "Authentication failed: invalid credentials";
                }
                answer(fd, *r, resp);
                if (!reply || authenticated) break;
            } else {
                break;
            }
        }
        ::close(fd);
    }

    std::string _mechanism;
    security::scram_credential _credential =
        *security::make_scram_credential(security::scram_mechanism::sha512, k_password, "", 4096);
    security::scram_server _scram{security::scram_mechanism::sha512,
                                  [this](const std::string& user, security::scram_mechanism) {
                                      return user == k_user ? std::optional(_credential)
                                                            : std::nullopt;
                                  }};
    int _listen = -1;
    std::thread _thread;
};

client_config sasl_config(uint16_t port, sasl_mechanism m, const std::string& password) {
    client_config c;
    c.bootstrap = "127.0.0.1:" + std::to_string(port);
    c.security_protocol = security_protocol::sasl_plaintext;
    c.sasl_mechanism = m;
    c.sasl_username = k_user;
    c.sasl_password = password;
    return c;
}

TEST(raw_connection_sasl, scram_sha_512_logs_in_and_verifies_the_server) {
    sasl_broker broker("SCRAM-SHA-512");
    auto c = raw_connection::open_bootstrap(
        sasl_config(broker.port, sasl_mechanism::scram_sha_512, k_password));
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_TRUE(broker.authenticated);
}

TEST(raw_connection_sasl, wrong_password_names_user_mechanism_and_broker) {
    sasl_broker broker("SCRAM-SHA-512");
    auto c = raw_connection::open_bootstrap(
        sasl_config(broker.port, sasl_mechanism::scram_sha_512, "wrong"));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.err().code, errc::invalid_argument);
    const std::string want = "authentication failed at 127.0.0.1:" + std::to_string(broker.port) +
                             " (user 'admin', SCRAM-SHA-512): Authentication failed";
    EXPECT_NE(c.err().message.find(want), std::string::npos) << c.err().message;
    EXPECT_FALSE(broker.authenticated);
}

TEST(raw_connection_sasl, plain_sends_the_rfc4616_token) {
    sasl_broker broker("PLAIN");
    auto c =
        raw_connection::open_bootstrap(sasl_config(broker.port, sasl_mechanism::plain, k_password));
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_TRUE(broker.authenticated);
}

TEST(raw_connection_sasl, mechanism_not_enabled_lists_the_enabled_ones) {
    sasl_broker broker("PLAIN");
    auto c = raw_connection::open_bootstrap(
        sasl_config(broker.port, sasl_mechanism::scram_sha_256, k_password));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.err().code, errc::unsupported);
    EXPECT_NE(c.err().message.find("does not accept SASL mechanism SCRAM-SHA-256 (enabled: PLAIN)"),
              std::string::npos)
        << c.err().message;
}

TEST(raw_connection_tls, a_plaintext_server_fails_the_handshake_with_io_error) {
    // The fake broker does not speak TLS: the handshake fails, naming it.
    sasl_broker broker("PLAIN");
    client_config c;
    c.bootstrap = "127.0.0.1:" + std::to_string(broker.port);
    c.security_protocol = security_protocol::ssl;
    c.timeout_ms = 2000;
    auto conn = raw_connection::open_bootstrap(c);
    ASSERT_FALSE(conn.ok());
    EXPECT_NE(conn.err().message.find("TLS handshake with 127.0.0.1:"), std::string::npos)
        << conn.err().message;
}

}  // namespace
}  // namespace raw_sasl_test
}  // namespace spate::kafka::client
