#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include "http/client.h"
#include "net/runtime.h"

namespace spate::http {
namespace server_test {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;

using raw_response = bhttp::response<bhttp::string_body>;

// A client writing raw bytes and reading responses, every wait bounded.
class raw_client {
  public:
    explicit raw_client(uint16_t port) : _s(_io) {
        _s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }
    // False when the write did not finish in time or failed.
    bool send(std::string_view bytes, std::chrono::milliseconds limit = 10s) {
        boost::system::error_code result = asio::error::would_block;
        asio::async_write(_s, asio::buffer(bytes),
                          [&](boost::system::error_code ec, size_t) { result = ec; });
        run(limit);
        return !result;
    }
    // The next response, or nullopt on EOF, error or after `limit`.
    std::optional<raw_response> read(std::chrono::milliseconds limit = 10s) {
        bhttp::response_parser<bhttp::string_body> p;
        p.body_limit(size_t{1} << 26);
        boost::system::error_code result = asio::error::would_block;
        bhttp::async_read(_s, _buf, p, [&](boost::system::error_code ec, size_t) { result = ec; });
        run(limit);
        if (result) return std::nullopt;
        return p.release();
    }
    // Raw bytes up to and including the first "\r\n\r\n".
    std::string read_head(std::chrono::milliseconds limit = 10s) {
        std::string out;
        while (out.find("\r\n\r\n") == std::string::npos) {
            char c;
            boost::system::error_code result = asio::error::would_block;
            _s.async_read_some(asio::buffer(&c, 1),
                               [&](boost::system::error_code ec, size_t) { result = ec; });
            run(limit);
            if (result) break;
            out += c;
        }
        return out;
    }
    // Whether the server closes the connection within `limit`.
    bool closed_within(std::chrono::milliseconds limit) {
        char c;
        boost::system::error_code result = asio::error::would_block;
        _s.async_read_some(asio::buffer(&c, 1),
                           [&](boost::system::error_code ec, size_t) { result = ec; });
        run(limit);
        return result == asio::error::eof || result == asio::error::connection_reset;
    }

  private:
    void run(std::chrono::milliseconds limit) {
        _io.restart();
        _io.run_for(limit);
        if (!_io.stopped()) {
            boost::system::error_code ec;
            _s.cancel(ec);
            _io.restart();
            _io.run();
        }
    }

    asio::io_context _io;
    tcp::socket _s;
    boost::beast::flat_buffer _buf;
};

nlohmann::json json_of(const std::string& body) {
    return nlohmann::json::parse(body, nullptr, false);
}

class http_server_test : public ::testing::Test {
  protected:
    void start(http_options o = {}, int io_threads = 2) {
        auto r = std::make_shared<router>();
        r->add(verb::get, "/a", [](const request&) { return response{.body = "a"}; });
        r->add(verb::get, "/b", [](const request&) { return response{.body = "b"}; });
        r->add(verb::post, "/echo", [](const request& req) {
            return response{.body = req.content_type + "|" + req.body,
                            .content_type = "text/plain"};
        });
        r->add(verb::get, "/throw",
               [](const request&) -> response { throw std::runtime_error("boom"); });
        r->add(verb::get, "/block", [this](const request&) {
            _blocked.set_value();
            _release_future.wait_for(20s);
            return response{.body = "released"};
        });
        _rt.start(io_threads);
        _listener = std::make_unique<net::listener>(
            net::listener_options{.name = "http", .flag = "--http-listen", .port = 0},
            make_http_connection_factory(r, o));
        ASSERT_TRUE(_listener->start(_rt).ok());
        _port = _listener->port();
    }
    void TearDown() override {
        _release.set_value();
        if (_listener) _listener->stop();
        _rt.stop();
    }
    client make_client() { return client(http_url{.host = "127.0.0.1", .port = _port}, 10000); }

    net::runtime _rt;
    std::unique_ptr<net::listener> _listener;
    uint16_t _port = 0;
    std::promise<void> _blocked;
    std::promise<void> _release;
    std::shared_future<void> _release_future = _release.get_future().share();
};

TEST_F(http_server_test, serves_a_route_with_the_registry_content_type) {
    start();
    auto c = make_client();
    auto r = c.send(verb::get, "/a");
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->body, "a");
    EXPECT_EQ(r->content_type, k_registry_content_type);
}

TEST_F(http_server_test, passes_the_body_and_content_type_to_the_handler) {
    start();
    auto c = make_client();
    auto r = c.send(verb::post, "/echo", R"({"schema":"x"})", "application/json");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->body, R"(application/json|{"schema":"x"})");
    EXPECT_EQ(r->content_type, "text/plain");
}

TEST_F(http_server_test, keeps_one_connection_alive_across_requests) {
    start();
    raw_client c(_port);
    for (const char* path : {"/a", "/b", "/a"}) {
        ASSERT_TRUE(c.send(std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        auto r = c.read();
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->body(), std::string(path + 1));
        EXPECT_TRUE(r->keep_alive());
    }
    EXPECT_EQ(_listener->connection_count(), 1u);
}

TEST_F(http_server_test, answers_pipelined_requests_in_order) {
    start();
    raw_client c(_port);
    std::string batch;
    for (int i = 0; i < 10; ++i)
        batch += std::string("GET ") + (i % 2 ? "/b" : "/a") + " HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_TRUE(c.send(batch));
    for (int i = 0; i < 10; ++i) {
        auto r = c.read();
        ASSERT_TRUE(r) << i;
        EXPECT_EQ(r->body(), i % 2 ? "b" : "a") << i;
    }
}

TEST_F(http_server_test, unknown_path_is_404_and_unknown_method_405) {
    start();
    raw_client c(_port);
    ASSERT_TRUE(c.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 404);
    EXPECT_EQ(json_of(r->body())["error_code"], 404);
    ASSERT_TRUE(c.send("BREW /a HTTP/1.1\r\nHost: x\r\n\r\n"));
    r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 405);
    EXPECT_EQ(json_of(r->body())["error_code"], 405);
    EXPECT_EQ((*r)[bhttp::field::allow], "GET");
}

TEST_F(http_server_test, declared_body_over_the_limit_is_413_without_reading_it) {
    start({.max_body_bytes = 1024});
    raw_client c(_port);
    ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 413);
    EXPECT_EQ(json_of(r->body())["error_code"], 413);
    EXPECT_FALSE(r->keep_alive());
}

TEST_F(http_server_test, sent_body_over_the_limit_is_413_and_the_client_sees_it) {
    start({.max_body_bytes = 1024});
    raw_client c(_port);
    const std::string body(300000, 'x');
    ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 413);
    EXPECT_TRUE(c.closed_within(10s));
}

TEST_F(http_server_test, chunked_body_over_the_limit_is_413) {
    start({.max_body_bytes = 1024});
    raw_client c(_port);
    std::string req = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i)
        req += "200\r\n" + std::string(0x200, 'y') + "\r\n";
    req += "0\r\n\r\n";
    ASSERT_TRUE(c.send(req));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 413);
}

TEST_F(http_server_test, header_over_the_limit_is_431) {
    start({.max_header_bytes = 4096});
    raw_client c(_port);
    ASSERT_TRUE(
        c.send("GET /a HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'h') + "\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 431);
    EXPECT_EQ(json_of(r->body())["error_code"], 431);
}

TEST_F(http_server_test, malformed_request_is_400_and_closes) {
    start();
    raw_client c(_port);
    ASSERT_TRUE(c.send("THIS IS NOT HTTP\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 400);
    EXPECT_EQ(json_of(r->body())["error_code"], 400);
    EXPECT_TRUE(c.closed_within(10s));
}

TEST_F(http_server_test, bad_escape_in_the_target_is_400_and_the_connection_stays) {
    start();
    raw_client c(_port);
    ASSERT_TRUE(c.send("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 400);
    ASSERT_TRUE(c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
    r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body(), "a");
}

TEST_F(http_server_test, handler_exception_is_500_and_the_server_keeps_serving) {
    start();
    auto c = make_client();
    auto r = c.send(verb::get, "/throw");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 500u);
    EXPECT_EQ(json_of(r->body)["error_code"], 500);
    auto again = c.send(verb::get, "/a");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->body, "a");
}

TEST_F(http_server_test, idle_keep_alive_connection_closes_after_the_idle_timeout) {
    start({.idle_timeout_ms = 100});
    raw_client c(_port);
    ASSERT_TRUE(c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(c.read());
    EXPECT_TRUE(c.closed_within(10s));
}

TEST_F(http_server_test, partial_request_closes_after_the_read_timeout) {
    start({.read_timeout_ms = 100});
    raw_client c(_port);
    ASSERT_TRUE(c.send("GET /a HTTP/1.1\r\nHo"));
    EXPECT_TRUE(c.closed_within(10s));
}

TEST_F(http_server_test, http10_without_keep_alive_closes_after_the_answer) {
    start();
    raw_client c(_port);
    ASSERT_TRUE(c.send("GET /a HTTP/1.0\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body(), "a");
    EXPECT_TRUE(c.closed_within(10s));
}

TEST_F(http_server_test, connection_close_header_closes_after_the_answer) {
    start();
    raw_client c(_port);
    ASSERT_TRUE(c.send("GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->keep_alive());
    EXPECT_TRUE(c.closed_within(10s));
}

TEST_F(http_server_test, expect_100_continue_gets_the_interim_answer_before_the_body) {
    start();
    raw_client c(_port);
    ASSERT_TRUE(c.send(
        "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
    EXPECT_EQ(c.read_head(), "HTTP/1.1 100 Continue\r\n\r\n");
    ASSERT_TRUE(c.send("{}"));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body(), "|{}");
}

TEST_F(http_server_test, a_blocking_handler_does_not_hold_up_other_connections) {
    start({}, 1);  // one I/O thread: a handler on it would stall everything
    raw_client blocked(_port);
    ASSERT_TRUE(blocked.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(_blocked.get_future().wait_for(10s), std::future_status::ready);
    auto c = make_client();
    auto r = c.send(verb::get, "/a");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->body, "a");
    _release.set_value();
    _release = std::promise<void>();  // TearDown sets it again
    auto late = blocked.read();
    ASSERT_TRUE(late);
    EXPECT_EQ(late->body(), "released");
}

TEST_F(http_server_test, stopping_the_listener_closes_open_connections) {
    start();
    raw_client c(_port);
    ASSERT_TRUE(c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(c.read());
    _listener->stop();
    EXPECT_TRUE(c.closed_within(10s));
}

TEST_F(http_server_test, client_reconnects_when_the_server_closed_an_idle_connection) {
    start({.idle_timeout_ms = 50});
    auto c = make_client();
    ASSERT_TRUE(c.send(verb::get, "/a").ok());
    // Wait until the server has dropped the idle connection.
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (_listener->connection_count() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(5ms);
    ASSERT_EQ(_listener->connection_count(), 0u);
    auto r = c.send(verb::get, "/b");
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(r->body, "b");
}

}  // namespace
}  // namespace server_test
}  // namespace spate::http
