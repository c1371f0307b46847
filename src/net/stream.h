#pragma once

// A connected byte stream, plaintext TCP or TLS over TCP, that protocol
// connections read and write without knowing which. The listener accepts
// the socket, completes the TLS handshake when its listener has a TLS
// context, and hands the stream to the protocol's connection factory.
//
// Threading: like an Asio socket, one outstanding read and one outstanding
// write at a time, both from the stream's executor (a strand per stream).

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "net/tls_socket.h"

namespace spate::net {

class stream {
  public:
    using tcp_socket = boost::asio::ip::tcp::socket;
    using tls_socket = net::tls_socket;

    explicit stream(tcp_socket s) : _s(std::move(s)) {}
    explicit stream(tls_socket s) : _s(std::move(s)) {}
    stream(stream&&) = default;
    stream& operator=(stream&&) = default;

    using executor_type = boost::asio::any_io_executor;
    executor_type get_executor();
    bool is_tls() const { return std::holds_alternative<tls_socket>(_s); }
    // The TCP socket under any TLS layer (peer address, socket options; a
    // plaintext stream's fd may be used for sendfile).
    tcp_socket& tcp();

    // Reads exactly buffer_size(b) bytes; an error (or EOF) otherwise.
    boost::asio::awaitable<boost::system::error_code> read_exact(boost::asio::mutable_buffer b);
    // Writes all of `b`.
    boost::asio::awaitable<boost::system::error_code> write_all(boost::asio::const_buffer b);
    // Partial reads and writes (Asio's AsyncReadStream / AsyncWriteStream,
    // so Beast's HTTP reader and writer run over either kind of stream).
    template <typename MutableBuffers, typename Token>
    auto async_read_some(const MutableBuffers& b, Token&& token) {
        if (auto* t = std::get_if<tcp_socket>(&_s))
            return t->async_read_some(b, std::forward<Token>(token));
        return std::get<tls_socket>(_s).async_read_some(b, std::forward<Token>(token));
    }
    template <typename ConstBuffers, typename Token>
    auto async_write_some(const ConstBuffers& b, Token&& token) {
        if (auto* t = std::get_if<tcp_socket>(&_s))
            return t->async_write_some(b, std::forward<Token>(token));
        return std::get<tls_socket>(_s).async_write_some(b, std::forward<Token>(token));
    }

    // Turns a plaintext stream into TLS in place, as the server of the
    // handshake (pgwire's SSLRequest). The caller must have no unread
    // plaintext buffered. An error leaves the stream unusable: close it.
    boost::asio::awaitable<boost::system::error_code> upgrade_to_tls(
        std::shared_ptr<boost::asio::ssl::context> ctx);
    // The subject of the peer's verified certificate as an RFC 2253
    // distinguished name ("CN=alice,O=acme"), as Kafka's SSL principal
    // builder reads it; nullopt on plaintext or when the peer sent none.
    std::optional<std::string> peer_certificate_subject();
    // Shuts down and closes the socket; errors are ignored (the peer may be gone).
    void close();

  private:
    std::variant<tcp_socket, tls_socket> _s;
};

}  // namespace spate::net
