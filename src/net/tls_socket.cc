#include "net/tls_socket.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace spate::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// OpenSSL's record buffer: with read-ahead, the most ciphertext one `recv`
// brings in. Released by OpenSSL whenever it is drained (idle connections
// hold none).
constexpr size_t k_read_buffer_bytes = 256 * 1024;
// Plaintext encrypted before its ciphertext is handed to the kernel.
constexpr size_t k_write_chunk_bytes = 256 * 1024;
// Output buffer capacity kept between writes.
constexpr size_t k_kept_buffer_bytes = 64 * 1024;
// The most ciphertext one TLS record takes (header, 16 KiB, expansion).
constexpr size_t k_max_record_bytes = 5 + 16384 + 256;
// The highest SO_RCVLOWAT a read asks for (the kernel caps it at half the
// receive buffer).
constexpr size_t k_max_low_water = 128 * 1024;

// The write side's BIO: appends whatever OpenSSL writes (records, alerts)
// to the std::vector<char> set as its data. Never fails, never retries.
int append_output(BIO* b, const char* data, int len) {
    auto* out = static_cast<std::vector<char>*>(BIO_get_data(b));
    out->insert(out->end(), data, data + len);
    return len;
}

long output_ctrl(BIO* b, int cmd, long, void*) {
    switch (cmd) {
        case BIO_CTRL_FLUSH:
            return 1;
        case BIO_CTRL_WPENDING:
            return static_cast<long>(static_cast<std::vector<char>*>(BIO_get_data(b))->size());
        default:
            return 0;
    }
}

int output_create(BIO* b) {
    BIO_set_init(b, 1);
    return 1;
}

BIO_METHOD* output_method() {
    static BIO_METHOD* const method = [] {
        BIO_METHOD* m =
            BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "spate TLS output");
        if (!m || !BIO_meth_set_write(m, append_output) || !BIO_meth_set_ctrl(m, output_ctrl) ||
            !BIO_meth_set_create(m, output_create))
            std::abort();  // out of memory at start-up
        return m;
    }();
    return method;
}

// The error of a failed SSL call whose SSL_get_error() is `ssl_error`;
// clears OpenSSL's error queue. Call it before anything else can touch
// errno or the queue.
error_code error_of(int ssl_error) {
    const int sys = errno;
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (ssl_error == SSL_ERROR_ZERO_RETURN) return asio::error::eof;
    if (ERR_GET_LIB(code) == ERR_LIB_SSL &&
        ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return asio::ssl::error::stream_truncated;
    if (code != 0) return error_code(static_cast<int>(code), asio::error::get_ssl_category());
    if (ssl_error == SSL_ERROR_SYSCALL && sys != 0)
        return error_code(sys, boost::system::system_category());
    if (ssl_error == SSL_ERROR_SYSCALL) return asio::ssl::error::stream_truncated;
    return asio::ssl::error::unspecified_system_error;
}

}  // namespace

struct tls_socket::state {
    explicit state(tcp_socket s) : socket(std::move(s)) {}
    ~state() {
        if (ssl) SSL_free(ssl);  // frees both BIOs; the socket is closed by its own destructor
    }
    state(const state&) = delete;
    state& operator=(const state&) = delete;

    // What one SSL_read_ex came to: bytes read, a wait for the socket, or an error.
    enum class step { done, want_read, failed };

    // Reads up to `len` bytes into `p`: step::done with `n` > 0, or why not.
    step read_now(char* p, size_t len, size_t& n, error_code& ec) {
        ERR_clear_error();
        if (SSL_read_ex(ssl, p, len, &n) == 1) return step::done;
        const int e = SSL_get_error(ssl, 0);
        if (e == SSL_ERROR_WANT_READ) return step::want_read;
        ec = error_of(e);
        return step::failed;
    }

    // Output a read produced (tickets, alerts, key updates), sent without
    // waiting when no write is under way; what the socket does not take now
    // goes with the next write.
    void send_pending_now() {
        if (writing || out.empty()) return;
        ssize_t n =
            ::send(socket.native_handle(), out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) out.erase(out.begin(), out.begin() + n);
    }

    // Sends all output, including what reads add meanwhile.
    asio::awaitable<error_code> send_out() {
        error_code ec;
        writing = true;
        while (!ec && !out.empty()) {
            sending.clear();
            std::swap(sending, out);
            co_await asio::async_write(socket, asio::buffer(sending),
                                       asio::redirect_error(asio::use_awaitable, ec));
        }
        writing = false;
        // An idle connection keeps small buffers only (10,000 connections).
        if (sending.capacity() > k_kept_buffer_bytes) std::vector<char>().swap(sending);
        if (out.empty() && out.capacity() > k_kept_buffer_bytes) std::vector<char>().swap(out);
        co_return ec;
    }

    // Waits until the socket has data; with `still_needed` plaintext bytes
    // to come, until it holds most of their ciphertext (SO_RCVLOWAT), so a
    // request arriving as many small TLS records wakes the reader a few
    // times, not once per record. At a want-read, OpenSSL holds less than
    // one whole record, so at least `still_needed` minus one record's
    // ciphertext must still come through the socket.
    asio::awaitable<error_code> wait_readable(size_t still_needed = 0) {
        set_low_water(still_needed > k_max_record_bytes
                          ? std::min(still_needed - k_max_record_bytes, k_max_low_water)
                          : 1);
        error_code ec;
        co_await socket.async_wait(tcp_socket::wait_read,
                                   asio::redirect_error(asio::use_awaitable, ec));
        co_return ec;
    }

    void set_low_water(size_t bytes) {
        const int v = static_cast<int>(bytes);
        if (v == low_water) return;
        if (::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v) == 0)
            low_water = v;
    }

    tcp_socket socket;
    SSL* ssl = nullptr;
    int low_water = 1;          // the socket's SO_RCVLOWAT
    std::vector<char> out;      // ciphertext not yet being sent
    std::vector<char> sending;  // ciphertext the write under way is sending
    bool writing = false;
};

tls_socket::tls_socket(tcp_socket s, asio::ssl::context& ctx)
    : _st(std::make_unique<state>(std::move(s))) {
    auto& st = *_st;
    st.ssl = SSL_new(ctx.native_handle());
    if (!st.ssl) return;  // handshake() fails
    error_code ignored;
    st.socket.non_blocking(true, ignored);
    BIO* in = BIO_new_socket(static_cast<int>(st.socket.native_handle()), BIO_NOCLOSE);
    BIO* out = BIO_new(output_method());
    if (!in || !out) {
        BIO_free(in);
        BIO_free(out);
        SSL_free(st.ssl);
        st.ssl = nullptr;
        return;
    }
    BIO_set_data(out, &st.out);
    SSL_set_bio(st.ssl, in, out);
    SSL_set_read_ahead(st.ssl, 1);
    SSL_set_default_read_buffer_len(st.ssl, k_read_buffer_bytes);
    SSL_set_mode(st.ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    SSL_set_accept_state(st.ssl);
}

tls_socket::tls_socket(tls_socket&&) noexcept = default;
tls_socket& tls_socket::operator=(tls_socket&&) noexcept = default;
tls_socket::~tls_socket() = default;

tls_socket::tcp_socket& tls_socket::next_layer() {
    return _st->socket;
}

SSL* tls_socket::native_handle() {
    return _st->ssl;
}

asio::awaitable<error_code> tls_socket::handshake() {
    auto& st = *_st;
    if (!st.ssl) co_return asio::error::no_memory;
    for (;;) {
        ERR_clear_error();
        const int r = SSL_do_handshake(st.ssl);
        error_code failure;
        if (r != 1) {
            const int e = SSL_get_error(st.ssl, r);
            if (e != SSL_ERROR_WANT_READ) failure = error_of(e);
        }
        // Our flight, or the alert that tells the peer why it failed.
        error_code sent = co_await st.send_out();
        if (failure) co_return failure;
        if (sent) co_return sent;
        if (r == 1) co_return error_code{};
        if (auto ec = co_await st.wait_readable()) co_return ec;
    }
}

asio::awaitable<error_code> tls_socket::read_exact(asio::mutable_buffer b) {
    auto& st = *_st;
    auto* p = static_cast<char*>(b.data());
    size_t left = b.size();
    while (left > 0) {
        size_t n = 0;
        error_code ec;
        switch (st.read_now(p, left, n, ec)) {
            case state::step::done:
                p += n;
                left -= n;
                break;
            case state::step::want_read:
                st.send_pending_now();
                if ((ec = co_await st.wait_readable(left))) co_return ec;
                break;
            case state::step::failed:
                st.send_pending_now();
                co_return ec;
        }
    }
    st.send_pending_now();
    co_return error_code{};
}

asio::awaitable<tls_socket::io_result> tls_socket::read_some(asio::mutable_buffer b) {
    auto& st = *_st;
    if (b.size() == 0) co_return io_result{};
    for (;;) {
        size_t n = 0;
        error_code ec;
        const state::step s = st.read_now(static_cast<char*>(b.data()), b.size(), n, ec);
        st.send_pending_now();
        if (s == state::step::done) co_return io_result{error_code{}, n};
        if (s == state::step::failed) co_return io_result{ec, 0};
        if ((ec = co_await st.wait_readable())) co_return io_result{ec, 0};
    }
}

asio::awaitable<error_code> tls_socket::write_all(asio::const_buffer b) {
    while (b.size() > 0) {
        auto [ec, n] = co_await write_some(b);
        if (ec) co_return ec;
        b += n;
    }
    co_return error_code{};
}

asio::awaitable<tls_socket::io_result> tls_socket::write_some(asio::const_buffer b) {
    auto& st = *_st;
    if (b.size() == 0) co_return io_result{};
    size_t n = 0;
    ERR_clear_error();
    if (SSL_write_ex(st.ssl, b.data(), std::min(b.size(), k_write_chunk_bytes), &n) != 1)
        co_return io_result{error_of(SSL_get_error(st.ssl, 0)), 0};
    if (auto ec = co_await st.send_out()) co_return io_result{ec, 0};
    co_return io_result{error_code{}, n};
}

}  // namespace spate::net
