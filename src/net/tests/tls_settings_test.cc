// Server TLS contexts follow Kafka's ssl.enabled.protocols, ssl.cipher.suites
// (IANA or OpenSSL names) and ssl.key.password: real handshakes against
// contexts built by make_server_tls_context.

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "net/tests/test_keystore.h"
#include "net/tls.h"

namespace spate::net {
namespace tls_settings_test {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

class tls_settings : public ::testing::Test {
  protected:
    void SetUp() override {
        _dir = std::filesystem::temp_directory_path() /
               ("spate-tls-settings-" + std::to_string(::getpid()));
        std::filesystem::create_directories(_dir);
        _keystore = (_dir / "keystore.pem").string();
        testing::write_keystore(_keystore, "server");
    }
    void TearDown() override { std::filesystem::remove_all(_dir); }

    tls_server_files files() const { return {_keystore, "", client_auth::none}; }

    // One handshake of a client set up by `client` against `server`: the
    // negotiated protocol and cipher ("TLSv1.3 TLS_AES_128_GCM_SHA256"), or
    // "" when the handshake failed.
    static std::string handshake(ssl::context& server,
                                 const std::function<void(SSL_CTX*)>& client = {}) {
        asio::io_context io;
        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        std::thread server_side([&] {
            tcp::socket s = acceptor.accept();
            ssl::stream<tcp::socket&> tls(s, server);
            boost::system::error_code ec;
            tls.handshake(ssl::stream_base::server, ec);
        });
        ssl::context client_ctx(ssl::context::tls_client);
        client_ctx.set_verify_mode(ssl::verify_none);
        if (client) client(client_ctx.native_handle());
        ssl::stream<tcp::socket> c(io, client_ctx);
        c.next_layer().connect(acceptor.local_endpoint());
        boost::system::error_code ec;
        c.handshake(ssl::stream_base::client, ec);
        std::string out;
        if (!ec)
            out = std::string(SSL_get_version(c.native_handle())) + " " +
                  SSL_CIPHER_get_name(SSL_get_current_cipher(c.native_handle()));
        c.next_layer().close();
        server_side.join();
        return out;
    }

    std::filesystem::path _dir;
    std::string _keystore;
};

TEST_F(tls_settings, by_default_tls13_is_negotiated) {
    auto ctx = make_server_tls_context(files());
    ASSERT_TRUE(ctx.ok()) << ctx.err().message;
    EXPECT_EQ(handshake(**ctx).substr(0, 7), "TLSv1.3");
}

TEST_F(tls_settings, a_listed_tls13_suite_is_the_one_negotiated) {
    auto f = files();
    f.cipher_suites = {"TLS_AES_128_GCM_SHA256"};
    auto ctx = make_server_tls_context(f);
    ASSERT_TRUE(ctx.ok()) << ctx.err().message;
    EXPECT_EQ(handshake(**ctx), "TLSv1.3 TLS_AES_128_GCM_SHA256");
}

TEST_F(tls_settings, iana_names_select_tls12_suites_and_switch_tls13_off) {
    auto f = files();
    f.cipher_suites = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"};
    auto ctx = make_server_tls_context(f);
    ASSERT_TRUE(ctx.ok()) << ctx.err().message;
    EXPECT_EQ(handshake(**ctx), "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256");
}

TEST_F(tls_settings, openssl_names_are_accepted_too) {
    auto f = files();
    f.cipher_suites = {"ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
    auto ctx = make_server_tls_context(f);
    ASSERT_TRUE(ctx.ok()) << ctx.err().message;
    EXPECT_EQ(handshake(**ctx), "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256");
    EXPECT_EQ(
        handshake(**ctx, [](SSL_CTX* c) { SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION); }),
        "TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384");
}

TEST_F(tls_settings, an_unknown_suite_is_refused_naming_it) {
    auto f = files();
    f.cipher_suites = {"TLS_AES_128_GCM_SHA256", "TLS_NO_SUCH_SUITE"};
    auto ctx = make_server_tls_context(f);
    ASSERT_FALSE(ctx.ok());
    EXPECT_NE(ctx.err().message.find("TLS_NO_SUCH_SUITE"), std::string::npos);
}

TEST_F(tls_settings, tls13_only_refuses_a_tls12_client) {
    auto f = files();
    f.tls12 = false;
    auto ctx = make_server_tls_context(f);
    ASSERT_TRUE(ctx.ok()) << ctx.err().message;
    EXPECT_EQ(
        handshake(**ctx, [](SSL_CTX* c) { SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION); }), "");
    EXPECT_EQ(handshake(**ctx).substr(0, 7), "TLSv1.3");
}

TEST_F(tls_settings, suites_of_disabled_protocols_only_leave_nothing_and_are_an_error) {
    auto f = files();
    f.tls13 = false;
    f.cipher_suites = {"TLS_AES_128_GCM_SHA256"};
    auto ctx = make_server_tls_context(f);
    ASSERT_FALSE(ctx.ok());
    EXPECT_NE(ctx.err().message.find("no usable protocol"), std::string::npos) << ctx.err().message;
}

TEST_F(tls_settings, an_encrypted_key_is_read_with_its_password_only) {
    testing::write_keystore(_keystore, "server", "s3cret");
    auto f = files();
    auto missing = make_server_tls_context(f);
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.err().message.find("set ssl.key.password"), std::string::npos)
        << missing.err().message;
    f.key_password = "wrong";
    auto wrong = make_server_tls_context(f);
    ASSERT_FALSE(wrong.ok());
    EXPECT_NE(wrong.err().message.find("with ssl.key.password"), std::string::npos)
        << wrong.err().message;
    f.key_password = "s3cret";
    auto right = make_server_tls_context(f);
    ASSERT_TRUE(right.ok()) << right.err().message;
    EXPECT_EQ(handshake(**right).substr(0, 7), "TLSv1.3");
}

}  // namespace
}  // namespace tls_settings_test
}  // namespace spate::net
