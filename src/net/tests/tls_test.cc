// A listener with a TLS context serves the same protocol factory over TLS.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include "net/listener.h"
#include "net/runtime.h"
#include "net/tests/echo.h"

namespace spate::net {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

// A server context with a fresh EC key and a self-signed certificate.
std::shared_ptr<ssl::context> self_signed_context() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX_use_certificate(ctx->native_handle(), cert);
    SSL_CTX_use_PrivateKey(ctx->native_handle(), key);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ctx;
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
}  // namespace spate::net
