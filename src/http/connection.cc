#include "http/connection.h"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "base/log.h"
#include "http/uri.h"

namespace spate::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// What drain() reads at most, and for how long.
constexpr size_t k_drain_bytes = size_t{64} << 20;
constexpr auto k_drain_time = std::chrono::seconds(5);
constexpr size_t k_read_chunk = 16 * 1024;
constexpr std::string_view k_continue = "HTTP/1.1 100 Continue\r\n\r\n";

std::chrono::milliseconds ms(int v) {
    return std::chrono::milliseconds(v);
}

bool is_disconnect(const boost::system::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
           ec == beast::error::timeout || ec == asio::error::bad_descriptor;
}

}  // namespace

response handle_request(const router& routes, request_message& m,
                        const net::connection_info& peer) {
    request req;
    req.method = m.method();
    req.target = std::string(m.target());
    auto parts = parse_target(req.target);
    if (!parts.ok()) return error_response(400, 400, parts.err().message);
    req.query = std::move(parts->query);
    req.content_type = std::string(m[bhttp::field::content_type]);
    req.body = std::move(m.body());
    req.peer = peer;
    try {
        return routes.dispatch(req, parts->segments);
    } catch (const std::exception& e) {
        logging::get("http").error("{} {} from {} failed: {}", std::string(m.method_string()),
                                   req.target, peer.peer_address, e.what());
        return error_response(500, 500, "Internal Server Error");
    }
}

http_connection::http_connection(std::shared_ptr<server_state> state, net::stream s,
                                 net::connection_info info, bool certificate)
    : _state(std::move(state))
    , _stream(std::move(s))
    , _deadline(_stream.get_executor())
    , _info(std::move(info))
    , _certificate(certificate)
    , _auth(_state->options().auth, _state->options().identity.get()) {}

void http_connection::start() {
    asio::co_spawn(
        _stream.get_executor(), [self = shared_from_this()] { return self->run(); },
        asio::detached);
}

void http_connection::stop() {
    asio::post(_stream.get_executor(), [self = shared_from_this()] { self->close(); });
}

void http_connection::close() {
    if (_closed) return;
    _closed = true;
    _deadline.cancel();
    _stream.close();
}

void http_connection::arm(int timeout_ms) {
    _deadline.expires_after(ms(timeout_ms));
    _deadline.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || self->_closed) return;
        // Cancels the I/O under way: it completes with an error.
        self->_timed_out = true;
        boost::system::error_code ignored;
        self->_stream.tcp().close(ignored);
    });
}

void http_connection::disarm() {
    _deadline.cancel();
}

asio::awaitable<void> http_connection::run() {
    auto self = shared_from_this();
    try {
        while (!_closed) {
            // Awaited results are named: GCC 12 miscompiles co_await in conditions.
            const bool got = co_await read_request();
            if (!got) break;
            request_message m = _parser->release();
            const bool keep_alive = m.keep_alive();
            const unsigned version = m.version();
            response r = co_await run_handler(m);
            const bool keep = keep_alive && !r.close;
            const bool written = co_await write(r, version, keep);
            if (!written || !keep) break;
        }
    } catch (const std::exception& e) {
        logging::get("http").warn("closing the connection of {}: {}", _info.peer_address, e.what());
    }
    close();
}

asio::awaitable<bool> http_connection::read_request() {
    const auto& o = _state->options();
    _parser.emplace();
    _parser->header_limit(static_cast<uint32_t>(o.max_header_bytes));
    _parser->body_limit(o.max_body_bytes);
    boost::system::error_code ec;
    if (_buffer.size() == 0) {
        // Waiting for the next request: the idle timeout applies.
        arm(o.idle_timeout_ms);
        size_t n = co_await _stream.async_read_some(_buffer.prepare(k_read_chunk),
                                                    asio::redirect_error(asio::use_awaitable, ec));
        disarm();
        if (ec || _closed) co_return false;
        _buffer.commit(n);
    }
    arm(o.read_timeout_ms);
    co_await bhttp::async_read_header(_stream, _buffer, *_parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && !_closed) {
        const auto expect = _parser->get()[bhttp::field::expect];
        if (beast::iequals(expect, "100-continue")) {
            co_await asio::async_write(_stream, asio::buffer(k_continue),
                                       asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec && !_closed)
            co_await bhttp::async_read(_stream, _buffer, *_parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
    }
    disarm();
    if (_closed) co_return false;
    if (!ec) co_return true;
    if (_timed_out || is_disconnect(ec)) {
        if (_timed_out)
            logging::get("http").debug("{}: request not read in time", _info.peer_address);
        co_return false;
    }
    response r;
    if (ec == bhttp::error::body_limit) {
        r = error_response(
            413, 413, "Request body larger than " + std::to_string(o.max_body_bytes) + " bytes");
    } else if (ec == bhttp::error::header_limit) {
        r = error_response(
            431, 431,
            "Request header larger than " + std::to_string(o.max_header_bytes) + " bytes");
    } else {
        r = error_response(400, 400, "Bad Request: " + ec.message());
    }
    logging::get("http").info("{}: {}", _info.peer_address, r.body);
    co_await refuse(r);
    co_return false;
}

asio::awaitable<void> http_connection::refuse(response& r) {
    const bool written = co_await write(r, 11, false);
    if (written) co_await drain();
    close();
}

asio::awaitable<void> http_connection::drain() {
    boost::system::error_code ec;
    _stream.tcp().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    arm(static_cast<int>(std::chrono::milliseconds(k_drain_time).count()));
    size_t total = 0;
    std::vector<char> scratch(k_read_chunk);
    while (!_closed && total < k_drain_bytes) {
        size_t n = co_await _stream.async_read_some(asio::buffer(scratch),
                                                    asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        total += n;
    }
    disarm();
}

asio::awaitable<response> http_connection::run_handler(request_message& m) {
    auto box = std::make_shared<response>();
    auto refused = std::make_shared<bool>(false);
    auto msg = std::make_shared<request_message>(std::move(m));
    // _auth is used only here, by one request at a time (this coroutine
    // waits for the pool), so the pool thread may use it.
    auto body = [self = shared_from_this(), msg, box, refused]() mutable -> task<void> {
        const auto header = (*msg)[bhttp::field::authorization];
        auto user = self->_auth.authenticate(std::string_view(header.data(), header.size()),
                                             self->_info, self->_certificate);
        if (!user.ok()) {
            *refused = true;
            *box = unauthorized_response(self->_state->options().auth);
        } else {
            net::connection_info who = self->_info;
            who.user = *user;
            *box = handle_request(self->_state->routes(), *msg, who);
        }
        msg.reset();
        co_return;
    };
    co_await asio::co_spawn(_state->pool().get_executor(), std::move(body), asio::use_awaitable);
    co_await asio::dispatch(_stream.get_executor(), asio::use_awaitable);
    if (*refused && _state->options().auth.failed_delay_ms > 0) {
        // As Kafka: a failed authentication is answered late, on a timer.
        asio::steady_timer delay(_stream.get_executor(),
                                 ms(_state->options().auth.failed_delay_ms));
        boost::system::error_code ec;
        co_await delay.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return std::move(*box);
}

asio::awaitable<bool> http_connection::write(response& r, unsigned version, bool keep_alive) {
    if (_closed) co_return false;
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
    res.set(bhttp::field::server, "spate");
    res.set(bhttp::field::content_type,
            r.content_type.empty() ? _state->options().default_content_type : r.content_type);
    for (const auto& [name, value] : r.headers)
        res.set(name, value);
    res.body() = std::move(r.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    boost::system::error_code ec;
    arm(_state->options().write_timeout_ms);
    co_await bhttp::async_write(_stream, res, asio::redirect_error(asio::use_awaitable, ec));
    disarm();
    if (ec && !_timed_out && !is_disconnect(ec))
        logging::get("http").info("{}: write failed: {}", _info.peer_address, ec.message());
    co_return !ec && !_closed;
}

}  // namespace spate::http
