#include "pgwire/connection.h"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "base/log.h"
#include "pgwire/backend.h"

namespace spate::pgwire {

namespace asio = boost::asio;

namespace {

// Output beyond this is written before more is produced.
constexpr size_t k_flush_threshold = 64 * 1024;

}  // namespace

pg_connection::pg_connection(std::shared_ptr<server_state> state, net::stream s,
                             net::connection_info info)
    : _state(std::move(state)), _stream(std::move(s)), _info(std::move(info)) {}

pg_connection::~pg_connection() {
    if (_key) _state->unregister_session(*_key);
}

void pg_connection::start() {
    asio::co_spawn(
        _stream.get_executor(), [self = shared_from_this()] { return self->run(); },
        asio::detached);
}

void pg_connection::stop() {
    asio::post(_stream.get_executor(), [self = shared_from_this()] {
        if (self->_session) self->_session->cancel();
        self->close();
    });
}

void pg_connection::close() {
    if (_closed) return;
    _closed = true;
    _stream.close();
}

bool pg_connection::peer_gone() {
    if (_closed) return true;
    char first = 0;
    ssize_t n = ::recv(_stream.tcp().native_handle(), &first, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
    return !_stream.is_tls() && first == 'X';
}

asio::awaitable<void> pg_connection::run() {
    auto self = shared_from_this();
    try {
        if (co_await startup()) {
            while (!_closed) {
                auto m = co_await read_message();
                if (!m || _closed) break;
                co_await dispatch_message(*m);
            }
        }
    } catch (const std::exception& e) {
        logging::get("pgwire").warn("closing the connection of {}: {}", _info.peer_address,
                                    e.what());
    }
    close();
    if (_key) {
        _state->unregister_session(*_key);
        _key.reset();
    }
}

asio::awaitable<std::optional<pg_connection::frontend_message>> pg_connection::read_message(
    size_t max_bytes) {
    if (max_bytes == 0) max_bytes = _state->options().max_message_bytes;
    char header[5];
    if (co_await _stream.read_exact(asio::buffer(header))) co_return std::nullopt;
    const auto len = static_cast<int32_t>(load_be32(header + 1));
    if (len < 4 || static_cast<size_t>(len) - 4 > max_bytes) {
        const std::string why = "invalid message length " + std::to_string(len);
        co_await protocol_violation(why);
        co_return std::nullopt;
    }
    _in.resize(static_cast<size_t>(len) - 4);
    if (!_in.empty() && co_await _stream.read_exact(asio::buffer(_in))) co_return std::nullopt;
    co_return frontend_message{header[0], _in};
}

asio::awaitable<void> pg_connection::dispatch_message(const frontend_message& m) {
    if (m.type == 'X') {
        close();
        co_return;
    }
    if (m.type == 'S') {
        _skip_until_sync = false;
        // Outside an explicit transaction, Sync ends the implicit one and
        // with it every portal (as in PostgreSQL).
        if (_session->transaction() == sql::transaction_state::idle) _portals.clear();
        send_ready();
        co_await flush();
        co_return;
    }
    if (m.type == 'H') {
        co_await flush();
        co_return;
    }
    if (m.type == 'd' || m.type == 'c' || m.type == 'f') co_return;  // no COPY FROM in progress
    if (_skip_until_sync && (m.type == 'Q' || m.type == 'P' || m.type == 'B' || m.type == 'D' ||
                             m.type == 'E' || m.type == 'C'))
        co_return;
    error_or_none err;
    switch (m.type) {
        case 'Q':
            co_await simple_query(m.body);
            co_return;
        case 'P':
            err = co_await on_parse(m.body);
            break;
        case 'B':
            err = co_await on_bind(m.body);
            break;
        case 'D':
            err = co_await on_describe(m.body);
            break;
        case 'E':
            err = co_await on_execute(m.body);
            break;
        case 'C':
            err = co_await on_close(m.body);
            break;
        default: {
            const std::string why = "invalid frontend message type " +
                                    std::to_string(static_cast<unsigned char>(m.type));
            co_await protocol_violation(why);
        }
            co_return;
    }
    if (err && !_closed) {
        send_error(*err);
        _skip_until_sync = true;
    }
    co_await flush_if_large();
}

asio::awaitable<void> pg_connection::flush() {
    if (_closed || _out.empty()) co_return;
    auto ec = co_await _stream.write_all(asio::buffer(_out));
    _out.clear();
    if (ec) close();
}

asio::awaitable<void> pg_connection::flush_if_large() {
    if (_out.size() >= k_flush_threshold) co_await flush();
}

asio::awaitable<void> pg_connection::protocol_violation(std::string_view message) {
    if (_closed) co_return;
    logging::get("pgwire").info("protocol violation from {}: {}", _info.peer_address, message);
    send_error(make_pg_error(k_protocol_violation, std::string(message)));
    co_await flush();
    close();
}

void pg_connection::send_error(const pg_error& e) {
    write_error(_w, e);
}

void pg_connection::send_ready() {
    write_ready_for_query(_w, _session ? _session->transaction() : sql::transaction_state::idle);
}

void pg_connection::send_changed_settings() {
    for (const auto& [name, value] : _session->take_reported_settings())
        write_parameter_status(_w, name, value);
}

}  // namespace spate::pgwire
