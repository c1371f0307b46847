#pragma once

// The server side of a TLS session over a TCP socket, driven through
// OpenSSL directly. Why not asio::ssl::stream: its engine passes ciphertext
// through a 17 KiB BIO pair and completes every TLS record through the
// scheduler (it posts a zero-length read), so a 1 MiB request costs 64
// socket reads and scheduler passes, and a client writing 1 KiB records
// (librdkafka) costs one of each per record. Here ciphertext is read by a
// socket BIO with read-ahead into OpenSSL's record buffer (one `recv` brings
// in as many records as have arrived; `SSL_read` drains them in a loop)
// and written by encrypting into an owned buffer sent with one write per
// chunk. OpenSSL does all of TLS; this class only moves the bytes.
//
// Threading: like an Asio socket, at most one outstanding read and one
// outstanding write, both from the socket's executor (a strand). A read may
// produce TLS output (session tickets, a key update's answer): it is sent
// at once if no write is in progress, else by that write.
//
// Errors: a peer's close_notify reads as asio::error::eof, a connection
// closed without one as asio::ssl::error::stream_truncated, TLS failures as
// OpenSSL error codes in Asio's SSL category (as asio::ssl::stream reports
// them).

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

using SSL = struct ssl_st;

namespace spate::net {

class tls_socket {
  public:
    using tcp_socket = boost::asio::ip::tcp::socket;
    using executor_type = boost::asio::any_io_executor;

    // A session of `ctx`'s settings (certificates, verification, protocol
    // versions and suites) over the connected socket `s`.
    tls_socket(tcp_socket s, boost::asio::ssl::context& ctx);
    tls_socket(tls_socket&&) noexcept;
    tls_socket& operator=(tls_socket&&) noexcept;
    ~tls_socket();

    executor_type get_executor() { return next_layer().get_executor(); }
    tcp_socket& next_layer();
    SSL* native_handle();

    // Runs the server side of the handshake. An error leaves the socket
    // unusable: close it.
    boost::asio::awaitable<boost::system::error_code> handshake();
    // Reads exactly buffer_size(b) bytes of plaintext.
    boost::asio::awaitable<boost::system::error_code> read_exact(boost::asio::mutable_buffer b);
    // Writes all of `b`; done when the ciphertext is handed to the kernel.
    boost::asio::awaitable<boost::system::error_code> write_all(boost::asio::const_buffer b);

    // Partial reads and writes (Asio's AsyncReadStream / AsyncWriteStream,
    // for Beast): each works on the first non-empty buffer of the sequence.
    template <typename MutableBuffers, typename Token>
    auto async_read_some(const MutableBuffers& b, Token&& token) {
        return complete_with(read_some(first_buffer<boost::asio::mutable_buffer>(b)),
                             std::forward<Token>(token));
    }
    template <typename ConstBuffers, typename Token>
    auto async_write_some(const ConstBuffers& b, Token&& token) {
        return complete_with(write_some(first_buffer<boost::asio::const_buffer>(b)),
                             std::forward<Token>(token));
    }

  private:
    struct state;
    using io_result = std::pair<boost::system::error_code, size_t>;

    // Reads up to buffer_size(b) bytes, at least one unless an error ends it.
    boost::asio::awaitable<io_result> read_some(boost::asio::mutable_buffer b);
    // Writes up to one chunk of `b`.
    boost::asio::awaitable<io_result> write_some(boost::asio::const_buffer b);

    template <typename Buffer, typename Buffers>
    static Buffer first_buffer(const Buffers& bs) {
        for (auto it = boost::asio::buffer_sequence_begin(bs);
             it != boost::asio::buffer_sequence_end(bs); ++it) {
            Buffer b(*it);
            if (b.size() > 0) return b;
        }
        return Buffer();
    }

    template <typename Token>
    auto complete_with(boost::asio::awaitable<io_result> op, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, size_t)>(
            [ex = get_executor()](auto handler, boost::asio::awaitable<io_result> op) mutable {
                boost::asio::co_spawn(
                    ex, std::move(op),
                    [h = std::move(handler)](std::exception_ptr e, io_result r) mutable {
                        if (e) std::rethrow_exception(e);
                        std::move(h)(r.first, r.second);
                    });
            },
            token, std::move(op));
    }

    std::unique_ptr<state> _st;
};

}  // namespace spate::net
