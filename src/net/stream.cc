#include "net/stream.h"

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace spate::net {

namespace asio = boost::asio;

boost::asio::any_io_executor stream::get_executor() {
    return std::visit([](auto& s) -> asio::any_io_executor { return s.get_executor(); }, _s);
}

stream::tcp_socket& stream::tcp() {
    if (auto* t = std::get_if<tcp_socket>(&_s)) return *t;
    return std::get<tls_socket>(_s).next_layer();
}

asio::awaitable<boost::system::error_code> stream::read_exact(asio::mutable_buffer b) {
    boost::system::error_code ec;
    if (auto* t = std::get_if<tcp_socket>(&_s)) {
        co_await asio::async_read(*t, b, asio::redirect_error(asio::use_awaitable, ec));
    } else {
        ec = co_await std::get<tls_socket>(_s).read_exact(b);
    }
    co_return ec;
}

asio::awaitable<boost::system::error_code> stream::write_all(asio::const_buffer b) {
    boost::system::error_code ec;
    if (auto* t = std::get_if<tcp_socket>(&_s)) {
        co_await asio::async_write(*t, b, asio::redirect_error(asio::use_awaitable, ec));
    } else {
        ec = co_await std::get<tls_socket>(_s).write_all(b);
    }
    co_return ec;
}

asio::awaitable<boost::system::error_code> stream::upgrade_to_tls(
    std::shared_ptr<asio::ssl::context> ctx) {
    auto* t = std::get_if<tcp_socket>(&_s);
    if (!t) co_return asio::error::already_connected;
    // SSL objects hold a reference to their SSL_CTX: `ctx` may go after this.
    tcp_socket raw(std::move(*t));
    _s.emplace<tls_socket>(std::move(raw), *ctx);
    co_return co_await std::get<tls_socket>(_s).handshake();
}

std::optional<std::string> stream::peer_certificate_subject() {
    auto* t = std::get_if<tls_socket>(&_s);
    if (!t) return std::nullopt;
    X509* cert = SSL_get1_peer_certificate(t->native_handle());
    if (!cert) return std::nullopt;
    std::optional<std::string> out;
    if (BIO* bio = BIO_new(BIO_s_mem())) {
        if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
            char* data = nullptr;
            long n = BIO_get_mem_data(bio, &data);
            out = std::string(data, static_cast<size_t>(n));
        }
        BIO_free(bio);
    }
    X509_free(cert);
    return out;
}

void stream::close() {
    boost::system::error_code ec;
    auto& t = tcp();
    t.shutdown(tcp_socket::shutdown_both, ec);
    t.close(ec);
}

}  // namespace spate::net
