// The server TLS socket against Asio's TLS client (a separate
// implementation driving the same OpenSSL): many small records, large
// writes, partial reads for Beast, close_notify and truncation, a
// plaintext client.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "net/tests/test_keystore.h"
#include "net/tls_socket.h"

namespace spate::net {
namespace tls_socket_test {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

std::vector<char> pattern(size_t n, unsigned seed) {
    std::vector<char> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = static_cast<char>((i * 131 + seed) % 251);
    return v;
}

// One accepted connection served by `server(tls_socket&)` on its own
// io_context thread; the test drives Asio's blocking TLS client.
class tls_socket_fixture : public ::testing::Test {
  protected:
    tls_socket_fixture() : _acceptor(_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        testing::use_self_signed(_server_ctx.native_handle(), "localhost");
        _client_ctx.set_verify_mode(ssl::verify_none);
    }
    ~tls_socket_fixture() override {
        if (_thread.joinable()) _thread.join();
    }

    // Serves one connection with `server`, whose result `served` yields.
    template <typename Server>
    void serve(Server server) {
        asio::co_spawn(
            _io,
            [this, server]() mutable -> asio::awaitable<void> {
                tcp::socket s = co_await _acceptor.async_accept(asio::use_awaitable);
                s.set_option(tcp::no_delay(true));
                tls_socket tls(std::move(s), _server_ctx);
                if (auto ec = co_await tls.handshake()) {
                    _served.set_value("handshake: " + ec.message());
                    co_return;
                }
                _served.set_value(co_await server(tls));
            },
            asio::detached);
        _thread = std::thread([this] { _io.run(); });
    }
    std::string served() { return _served.get_future().get(); }

    void connect(ssl::stream<tcp::socket>& c) {
        c.next_layer().connect(_acceptor.local_endpoint());
        c.next_layer().set_option(tcp::no_delay(true));
        c.handshake(ssl::stream_base::client);
    }

    asio::io_context _io;
    asio::io_context _client_io;
    tcp::acceptor _acceptor;
    ssl::context _server_ctx{ssl::context::tls_server};
    ssl::context _client_ctx{ssl::context::tls_client};
    std::promise<std::string> _served;
    std::thread _thread;
};

// A server that reads want.size() bytes and says whether they equal `want`.
auto reads_exactly(const std::vector<char>& want) {
    return [&want](tls_socket& s) -> asio::awaitable<std::string> {
        std::vector<char> got(want.size());
        auto ec = co_await s.read_exact(asio::buffer(got));
        if (ec) co_return ec.message();
        co_return got == want ? "same" : "different";
    };
}

TEST_F(tls_socket_fixture, a_request_sent_as_thousands_of_small_records_reads_back_whole) {
    const auto want = pattern(3000 * 10 + (1 << 20), 7);
    serve(reads_exactly(want));
    ssl::stream<tcp::socket> c(_client_io, _client_ctx);
    connect(c);
    size_t at = 0;
    for (int i = 0; i < 3000; ++i, at += 10)  // one TLS record each
        asio::write(c, asio::buffer(want.data() + at, 10));
    asio::write(c, asio::buffer(want.data() + at, want.size() - at));
    EXPECT_EQ(served(), "same");
}

// The reader waits for most of a request's ciphertext at once (SO_RCVLOWAT)
// but never for more than the request still needs: one sent in pieces with
// pauses, ending in a record smaller than the low-water mark, completes.
TEST_F(tls_socket_fixture, a_request_ending_in_pieces_after_pauses_completes) {
    const auto want = pattern(300 * 1024 + 7, 5);
    serve(reads_exactly(want));
    ssl::stream<tcp::socket> c(_client_io, _client_ctx);
    connect(c);
    size_t at = 0;
    for (size_t piece : {size_t{100 * 1024}, size_t{150 * 1024}, size_t{1024}}) {
        for (size_t end = at + piece; at < end; at += 1024)
            asio::write(c, asio::buffer(&want[at], 1024));
        std::this_thread::sleep_for(std::chrono::milliseconds(30));  // a slow client, not a sync
    }
    asio::write(c, asio::buffer(&want[at], want.size() - at));
    auto result = _served.get_future();
    ASSERT_EQ(result.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_EQ(result.get(), "same");
}

TEST_F(tls_socket_fixture, a_write_of_several_mebibytes_arrives_intact) {
    const auto sent = pattern(5 << 20, 3);
    serve([&sent](tls_socket& s) -> asio::awaitable<std::string> {
        auto ec = co_await s.write_all(asio::buffer(sent));
        co_return ec ? ec.message() : "written";
    });
    ssl::stream<tcp::socket> c(_client_io, _client_ctx);
    connect(c);
    std::vector<char> got(sent.size());
    asio::read(c, asio::buffer(got));
    EXPECT_EQ(served(), "written");
    EXPECT_TRUE(got == sent);
}

TEST_F(tls_socket_fixture, requests_and_answers_alternate_on_one_connection) {
    serve([](tls_socket& s) -> asio::awaitable<std::string> {
        for (int round = 0; round < 50; ++round) {
            uint32_t size = 0;
            if (auto ec = co_await s.read_exact(asio::buffer(&size, sizeof size)))
                co_return ec.message();
            std::vector<char> body(size);
            if (auto ec = co_await s.read_exact(asio::buffer(body))) co_return ec.message();
            std::reverse(body.begin(), body.end());
            if (auto ec = co_await s.write_all(asio::buffer(body))) co_return ec.message();
        }
        co_return "answered";
    });
    ssl::stream<tcp::socket> c(_client_io, _client_ctx);
    connect(c);
    for (int round = 0; round < 50; ++round) {
        auto body = pattern(static_cast<size_t>(1 + round * 7919), static_cast<unsigned>(round));
        uint32_t size = static_cast<uint32_t>(body.size());
        asio::write(c, asio::buffer(&size, sizeof size));
        asio::write(c, asio::buffer(body));
        std::vector<char> answer(body.size());
        asio::read(c, asio::buffer(answer));
        std::reverse(body.begin(), body.end());
        ASSERT_TRUE(answer == body) << "round " << round;
    }
    EXPECT_EQ(served(), "answered");
}

TEST_F(tls_socket_fixture, partial_reads_and_writes_serve_asio_composed_operations) {
    serve([](tls_socket& s) -> asio::awaitable<std::string> {
        char first[64];
        size_t n = co_await s.async_read_some(asio::buffer(first), asio::use_awaitable);
        if (n == 0 || n > sizeof first) co_return "bad partial read";
        std::string rest(100000 - n, '\0');
        co_await asio::async_read(s, asio::buffer(rest), asio::use_awaitable);
        std::string all = std::string(first, n) + rest;
        co_await asio::async_write(s, asio::buffer(all), asio::use_awaitable);
        co_return "echoed";
    });
    ssl::stream<tcp::socket> c(_client_io, _client_ctx);
    connect(c);
    auto sent = pattern(100000, 11);
    asio::write(c, asio::buffer(sent));
    std::vector<char> got(sent.size());
    asio::read(c, asio::buffer(got));
    EXPECT_EQ(served(), "echoed");
    EXPECT_TRUE(got == sent);
}

TEST_F(tls_socket_fixture, a_close_notify_reads_as_end_of_stream) {
    serve([](tls_socket& s) -> asio::awaitable<std::string> {
        char b[4];
        auto ec = co_await s.read_exact(asio::buffer(b));
        co_return ec == asio::error::eof ? "eof" : "read: " + ec.message();
    });
    ssl::stream<tcp::socket> c(_client_io, _client_ctx);
    connect(c);
    asio::write(c, asio::buffer("ab", 2));
    error_code ignored;
    c.shutdown(ignored);
    EXPECT_EQ(served(), "eof");
}

TEST_F(tls_socket_fixture, a_connection_closed_without_close_notify_reads_as_truncated) {
    serve([](tls_socket& s) -> asio::awaitable<std::string> {
        char b[4];
        auto ec = co_await s.read_exact(asio::buffer(b));
        co_return ec == ssl::error::stream_truncated ? "truncated" : "read: " + ec.message();
    });
    ssl::stream<tcp::socket> c(_client_io, _client_ctx);
    connect(c);
    asio::write(c, asio::buffer("ab", 2));
    // A FIN without close_notify. Not close(): the server's session tickets
    // may sit unread in the client's receive buffer, and closing a socket
    // with unread data sends a reset instead of a FIN.
    c.next_layer().shutdown(tcp::socket::shutdown_send);
    EXPECT_EQ(served(), "truncated");
}

TEST_F(tls_socket_fixture, a_plaintext_client_fails_the_handshake) {
    serve([](tls_socket&) -> asio::awaitable<std::string> { co_return "accepted"; });
    tcp::socket c(_client_io);
    c.connect(_acceptor.local_endpoint());
    const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    asio::write(c, asio::buffer(request));
    EXPECT_EQ(served().rfind("handshake: ", 0), 0u);  // the fixture's refusal, not "accepted"
}

}  // namespace
}  // namespace tls_socket_test
}  // namespace spate::net
