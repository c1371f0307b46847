#include "broker/connection.h"

#include <algorithm>
#include <array>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "base/log.h"
#include "broker/handlers/handlers.h"
#include "broker/request_clock.h"
#include "broker/response_writer.h"
#include "kafka/protocol/error_code.h"
#include "kafka/protocol/generated/api_versions_response.h"

namespace spate::broker {

namespace asio = boost::asio;
namespace proto = kafka::protocol;
using kafka::code;
using kafka::error_code;

namespace {

// api key + api version + correlation id: the smallest possible header.
constexpr size_t k_min_request_size = 8;

asio::awaitable<void> wait_for_wake(asio::steady_timer& t) {
    t.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// Waits on `t` until `until` has passed (it may move while waiting: the
// timer is re-armed each time `t` is cancelled) or `closed` is set.
asio::awaitable<void> wait_until(asio::steady_timer& t, const asio::steady_timer::time_point& until,
                                 const bool& closed) {
    while (!closed && asio::steady_timer::clock_type::now() < until) {
        t.expires_at(until);
        boost::system::error_code ec;
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

}  // namespace

connection::connection(handler_deps& deps, const broker_config& limits, net::stream s,
                       net::connection_info info, const listener_security* security)
    : _deps(deps)
    , _limits(limits)
    , _stream(std::move(s))
    , _info(std::move(info))
    , _auth(security, _info)
    , _client_host("/" + _info.peer_address)
    , _send_files(!_stream.is_tls() && limits.fetch_zero_copy)
    , _reader_wake(_stream.get_executor())
    , _writer_wake(_stream.get_executor()) {}

void connection::start() {
    auto self = shared_from_this();
    asio::co_spawn(
        _stream.get_executor(), [self]() { return self->read_loop(); }, asio::detached);
    asio::co_spawn(
        _stream.get_executor(), [self]() { return self->write_loop(); }, asio::detached);
}

void connection::stop() {
    asio::post(_stream.get_executor(), [self = shared_from_this()] { self->close(); });
}

void connection::close() {
    if (_closed) return;
    _closed = true;
    _stream.close();
    _reader_wake.cancel();
    _writer_wake.cancel();
    _slots.clear();
}

bool connection::reader_paused() const {
    return !_closed && !_slots.empty() &&
           (_slots.size() >= _limits.max_inflight_requests ||
            _inflight_bytes >= _limits.max_inflight_bytes);
}

result<size_t> connection::checked_frame_size(std::span<const std::byte> prefix) const {
    auto size = proto::frame_size(prefix, _limits.socket_request_max_bytes);
    if (!size.ok()) return size.err();
    if (_auth.sasl() && !_auth.authenticated() &&
        *size > connection_auth::k_max_unauthenticated_frame)
        return make_error(errc::invalid_argument, "frame too large before authentication");
    return *size;
}

std::shared_ptr<connection::slot> connection::push_slot(size_t request_bytes) {
    auto s = std::make_shared<slot>();
    s->request_bytes = request_bytes;
    _slots.push_back(s);
    _inflight_bytes += request_bytes;
    return s;
}

const handler_spec* connection::admitted_handler(const request_context& ctx) const {
    const handler_spec* spec = handlers::find_kafka_handler(ctx.header.api_key);
    if (!spec) return nullptr;  // unknown API: Kafka closes the connection
    if (!_auth.admits(spec->key, connection_auth::clock::now())) {
        logging::get("security")
            .info("closing the connection of {} on {}: API {} before authentication", _client_host,
                  _info.listener, static_cast<int>(spec->key));
        return nullptr;
    }
    return spec;
}

asio::awaitable<void> connection::read_loop() {
    auto self = shared_from_this();
    for (;;) {
        while (reader_paused())
            co_await wait_for_wake(_reader_wake);
        co_await wait_until(_reader_wake, _muted_until, _closed);
        if (_closed) break;

        std::array<std::byte, proto::k_frame_size_prefix> prefix;
        auto ec = co_await _stream.read_exact(asio::buffer(prefix));
        if (ec || _closed) break;
        auto size = checked_frame_size(prefix);
        if (!size.ok()) break;
        if (_auth.raw_tokens()) {
            auto token = request_buffer_pool::shared().take(*size);
            ec = co_await _stream.read_exact(asio::buffer(token));
            if (ec || _closed) break;
            co_await raw_token(std::move(token), push_slot(*size));
            continue;
        }
        if (*size < k_min_request_size) break;

        auto ctx = std::make_unique<request_context>(
            request_context{_deps,
                            _info,
                            {},
                            request_buffer_pool::shared().take(*size),
                            _stream.get_executor(),
                            _client_host,
                            _send_files,
                            &_auth});
        ec = co_await _stream.read_exact(asio::buffer(ctx->frame));
        if (ec || _closed) break;
        auto header = proto::parse_request_header(ctx->frame);
        if (!header.ok()) break;
        ctx->header = std::move(*header);
        const handler_spec* spec = admitted_handler(*ctx);
        if (!spec) break;
        const int16_t v = ctx->header.api_version;
        if (v < spec->min_version || v > spec->max_version) {
            if (spec->key != proto::api_key::api_versions) break;
            auto s = push_slot(*size);
            s->outcome = unsupported_api_versions(*ctx);
            s->done = true;
            _writer_wake.cancel();
            continue;
        }
        // A throttled client's requests already on the wire wait out its mute.
        co_await wait_until(_reader_wake, _muted_until, _closed);
        if (_closed) break;
        auto s = push_slot(*size);
        ctx->clock = std::make_shared<request_clock>();
        timed_executor timed(_stream.get_executor(), ctx->clock);
        asio::co_spawn(timed, run_handler(shared_from_this(), s, std::move(ctx), spec->fn),
                       asio::detached);
        // The next frame's meaning (gate, raw token) depends on this one's outcome.
        const bool sasl_api = spec->key == proto::api_key::sasl_handshake ||
                              spec->key == proto::api_key::sasl_authenticate;
        while (sasl_api && !_closed && !s->done)
            co_await wait_for_wake(_reader_wake);
    }
    close();
}

asio::awaitable<void> connection::raw_token(request_buffer frame, std::shared_ptr<slot> s) {
    auto self = shared_from_this();
    std::string_view token(reinterpret_cast<const char*>(frame.data()), frame.size());
    auto out = _auth.step(token, connection_auth::clock::now());
    request_buffer_pool::shared().give(std::move(frame));
    if (out.ok()) {
        s->outcome.what = handler_outcome::kind::respond;
        std::array<std::byte, proto::k_frame_size_prefix> prefix;
        const auto n = static_cast<uint32_t>(out->size());
        for (size_t i = 0; i < prefix.size(); ++i)
            prefix[i] = std::byte((n >> (8 * (prefix.size() - 1 - i))) & 0xff);
        s->outcome.frame.assign(prefix.begin(), prefix.end());
        const auto* b = reinterpret_cast<const std::byte*>(out->data());
        s->outcome.frame.insert(s->outcome.frame.end(), b, b + out->size());
    } else {
        // v0 has no error response: the connection closes after the delay.
        asio::steady_timer delay(_stream.get_executor(),
                                 std::chrono::milliseconds(_auth.failed_delay_ms()));
        boost::system::error_code ec;
        co_await delay.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        s->outcome = handler_outcome{};
    }
    s->done = true;
    if (!_closed) {
        s->response_bytes = s->outcome.size();
        _inflight_bytes += s->response_bytes;
    }
    _writer_wake.cancel();
}

asio::awaitable<void> connection::run_handler([[maybe_unused]] std::shared_ptr<connection> self,
                                              std::shared_ptr<slot> s,
                                              std::unique_ptr<request_context> ctx, handler_fn fn) {
    try {
        s->outcome = co_await fn(*ctx);
    } catch (const std::exception& e) {
        logging::get("broker").warn("closing the connection of {}: {} v{} handler threw: {}",
                                    _client_host, static_cast<int>(ctx->header.api_key),
                                    ctx->header.api_version, e.what());
        s->outcome = handler_outcome{};  // close
    }
    request_buffer_pool::shared().give(std::move(ctx->frame));
    s->done = true;
    if (!_closed) {
        // Unsent responses count against the in-flight byte bound too.
        s->response_bytes = s->outcome.size();
        _inflight_bytes += s->response_bytes;
    }
    _writer_wake.cancel();
}

asio::awaitable<void> connection::write_loop() {
    auto self = shared_from_this();
    for (;;) {
        while (!_closed && (_slots.empty() || !_slots.front()->done))
            co_await wait_for_wake(_writer_wake);
        if (_closed) break;
        auto s = std::move(_slots.front());
        _slots.pop_front();
        if (s->outcome.what == handler_outcome::kind::close) break;
        const auto throttle = std::chrono::milliseconds(s->outcome.throttle_ms);
        if (throttle.count() > 0 && s->outcome.delay_response) {
            // Pre-KIP-219 clients: the response itself waits out the throttle.
            mute_for(throttle);
            co_await wait_until(_writer_wake, _muted_until, _closed);
            if (_closed) break;
        }
        if (s->outcome.what == handler_outcome::kind::respond) {
            auto ec = co_await write_response(_stream, s->outcome);
            if (s->outcome.pooled_frame)
                response_buffer_pool::shared().give(std::move(s->outcome.frame));
            if (ec || _closed || s->outcome.close_after) break;
        }
        if (throttle.count() > 0 && !s->outcome.delay_response) mute_for(throttle);
        _inflight_bytes -= s->request_bytes + s->response_bytes;
        _reader_wake.cancel();
    }
    close();
}

void connection::mute_for(std::chrono::milliseconds throttle) {
    _muted_until = std::max(_muted_until, asio::steady_timer::clock_type::now() + throttle);
}

handler_outcome connection::unsupported_api_versions(const request_context& ctx) const {
    proto::api_versions_response r;
    r.error_code = code(error_code::unsupported_version);
    for (const auto& h : handlers::kafka_handlers())
        r.api_keys.push_back({static_cast<int16_t>(h.key), h.min_version, h.max_version});
    handler_outcome o;
    o.what = handler_outcome::kind::respond;
    proto::append_response_frame(o.frame, ctx.header.correlation_id, 0, r);
    return o;
}

}  // namespace spate::broker
