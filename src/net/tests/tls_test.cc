// A listener with a TLS context serves the same protocol factory over TLS.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "net/listener.h"
#include "net/runtime.h"
#include "net/tests/echo.h"
#include "net/tests/test_keystore.h"
#include "net/tls.h"

namespace spate::net {
namespace tls_test {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

// A server context with a fresh EC key and a self-signed certificate.
std::shared_ptr<ssl::context> self_signed_context() {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    testing::use_self_signed(ctx->native_handle(), "localhost");
    return ctx;
}

using testing::write_keystore;

// The subject CN of the certificate the server at `port` presents.
std::string server_cn(uint16_t port) {
    asio::io_context io;
    ssl::context client_ctx(ssl::context::tls_client);
    client_ctx.set_verify_mode(ssl::verify_none);
    ssl::stream<tcp::socket> c(io, client_ctx);
    c.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    c.handshake(ssl::stream_base::client);
    X509* cert = SSL_get1_peer_certificate(c.native_handle());
    char buf[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
    X509_free(cert);
    return buf;
}

TEST(tls_context_source, a_replaced_certificate_serves_the_next_connection) {
    auto dir =
        std::filesystem::temp_directory_path() / ("spate-tls-reload-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string ks = (dir / "keystore.pem").string();
    write_keystore(ks, "first");
    auto src = tls_context_source::open({ks, "", client_auth::none});
    ASSERT_TRUE(src.ok()) << src.err().message;
    runtime rt;
    rt.start(1);
    listener_options o;
    o.name = "secure";
    o.flag = "--secure-listen";
    o.tls_source = [s = *src] { return s->current(); };
    listener l(o, testing::echo_factory());
    ASSERT_TRUE(l.start(rt).ok());
    EXPECT_EQ(server_cn(l.port()), "first");
    write_keystore(ks, "second");
    EXPECT_EQ(server_cn(l.port()), "second");
    // A broken replacement keeps the last good certificate.
    {
        FILE* f = std::fopen(ks.c_str(), "w");
        std::fputs("not a certificate\n", f);
        std::fclose(f);
    }
    EXPECT_EQ(server_cn(l.port()), "second");
    l.stop();
    rt.stop();
    std::filesystem::remove_all(dir);
}

TEST(tls_listener, serves_the_protocol_over_tls_and_reports_ssl) {
    runtime rt;
    rt.start(2);
    listener_options o;
    o.name = "secure";
    o.flag = "--secure-listen";
    o.tls = self_signed_context();
    std::mutex mu;
    std::string protocol;
    listener l(o, [&](stream s, connection_info info) -> std::shared_ptr<connection> {
        std::lock_guard lk(mu);
        protocol = info.security_protocol;
        return std::make_shared<testing::echo_connection>(std::move(s), std::move(info));
    });
    ASSERT_TRUE(l.start(rt).ok());

    asio::io_context io;
    ssl::context client_ctx(ssl::context::tls_client);
    client_ctx.set_verify_mode(ssl::verify_none);
    ssl::stream<tcp::socket> c(io, client_ctx);
    c.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), l.port()));
    c.handshake(ssl::stream_base::client);
    asio::write(c, asio::buffer(std::string("tls!")));
    std::string back(4, '\0');
    asio::read(c, asio::buffer(back));
    EXPECT_EQ(back, "tls!");
    {
        std::lock_guard lk(mu);
        EXPECT_EQ(protocol, "SSL");
    }
    l.stop();
    rt.stop();
}

TEST(tls_listener, a_plaintext_client_gets_no_connection) {
    runtime rt;
    rt.start(1);
    listener_options o;
    o.name = "secure";
    o.flag = "--secure-listen";
    o.tls = self_signed_context();
    listener l(o, testing::echo_factory());
    ASSERT_TRUE(l.start(rt).ok());
    asio::io_context io;
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), l.port()));
    asio::write(s, asio::buffer(std::string("ping plain text, not a TLS hello")));
    char c;
    boost::system::error_code ec;
    while (!ec)
        asio::read(s, asio::buffer(&c, 1), ec);
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
    EXPECT_EQ(l.connection_count(), 0u);
    l.stop();
    rt.stop();
}

}  // namespace
}  // namespace tls_test
}  // namespace spate::net
