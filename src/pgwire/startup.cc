// Connection startup: SSL negotiation (TLS when configured; GSS declined),
// CancelRequest, the protocol 3.0 StartupMessage, authentication
// (authentication.cc) and opening the session.

#include "base/log.h"
#include "pgwire/backend.h"
#include "pgwire/connection.h"

namespace spate::pgwire {

namespace asio = boost::asio;

namespace {

constexpr int32_t k_protocol_3_0 = 196608;
constexpr int32_t k_ssl_request = 80877103;
constexpr int32_t k_gssenc_request = 80877104;
constexpr int32_t k_cancel_request = 80877102;
// PostgreSQL's own bound on a startup packet.
constexpr int32_t k_max_startup_bytes = 10000;
// SSLRequest and GSSENCRequest may each come once before the startup message.
constexpr int k_max_negotiations = 2;

}  // namespace

asio::awaitable<bool> pg_connection::read_startup_packet(std::string& body) {
    char len_bytes[4];
    if (co_await _stream.read_exact(asio::buffer(len_bytes))) co_return false;
    const auto len = static_cast<int32_t>(load_be32(len_bytes));
    if (len < 8 || len > k_max_startup_bytes) {
        co_await protocol_violation("invalid length of startup packet");
        co_return false;
    }
    body.resize(static_cast<size_t>(len) - 4);
    co_return !(co_await _stream.read_exact(asio::buffer(body)));
}

asio::awaitable<bool> pg_connection::startup() {
    for (int round = 0; round <= k_max_negotiations; ++round) {
        if (!co_await read_startup_packet(_in)) co_return false;
        const auto code = static_cast<int32_t>(load_be32(_in.data()));
        if (code == k_ssl_request && _state->options().tls && !_stream.is_tls()) {
            // Nothing may follow an SSLRequest before the handshake.
            if (_in.size() != 4) {
                co_await protocol_violation("invalid length of SSLRequest");
                co_return false;
            }
            _out.push_back('S');
            co_await flush();
            if (_closed) co_return false;
            if (auto ec = co_await _stream.upgrade_to_tls(_state->options().tls)) {
                logging::get("pgwire").info("TLS handshake with {} failed: {}", _info.peer_address,
                                            ec.message());
                co_return false;
            }
            _info.security_protocol = "SSL";
            continue;
        }
        if (code == k_ssl_request || code == k_gssenc_request) {
            _out.push_back('N');  // declined: the client may continue in plaintext
            co_await flush();
            if (_closed) co_return false;
            continue;
        }
        if (code == k_cancel_request) {
            co_await handle_cancel_request(_in);
            co_return false;
        }
        if (code != k_protocol_3_0) {
            send_error(make_pg_error(k_feature_not_supported, "unsupported frontend protocol " +
                                                                  std::to_string(code >> 16) + "." +
                                                                  std::to_string(code & 0xFFFF) +
                                                                  ": server supports 3.0 only"));
            co_await flush();
            co_return false;
        }
        co_return co_await open_session(std::string_view(_in).substr(4));
    }
    co_await protocol_violation("too many encryption requests");
    co_return false;
}

asio::awaitable<void> pg_connection::handle_cancel_request(std::string_view body) {
    message_reader r(body);
    (void)r.i32();  // the request code
    auto pid = r.i32();
    auto secret = r.i32();
    if (!pid || !secret || !r.at_end()) co_return;
    if (!_state->cancel(backend_key{*pid, *secret}))
        logging::get("pgwire").debug("cancel request from {} matches no session",
                                     _info.peer_address);
}

asio::awaitable<bool> pg_connection::open_session(std::string_view params) {
    sql::session_options o;
    message_reader r(params);
    for (;;) {
        auto name = r.cstring();
        if (!name) {
            co_await protocol_violation("startup packet is not NUL terminated");
            co_return false;
        }
        if (name->empty()) break;
        auto value = r.cstring();
        if (!value) {
            co_await protocol_violation("startup parameter without a value");
            co_return false;
        }
        if (*name == "user") o.user = std::string(*value);
        if (*name == "database") o.database = std::string(*value);
        if (*name == "application_name") o.application_name = std::string(*value);
        o.startup_parameters.emplace_back(std::string(*name), std::string(*value));
    }
    if (o.user.empty()) {
        send_error(make_pg_error("28000", "no PostgreSQL user name specified in startup packet"));
        co_await flush();
        co_return false;
    }
    if (o.database.empty()) o.database = o.user;
    if (!co_await authenticate(o.user)) co_return false;
    _info.user.name = o.user;
    o.principal = _info.user.to_string();
    o.host = _info.peer_address;
    auto state = _state;
    auto job = [state, o] { return state->sessions().open(o); };
    auto opened = co_await run_blocking(job);
    if (!opened.ok()) {
        send_error(to_pg_error(opened.error()));
        co_await flush();
        co_return false;
    }
    _session = std::shared_ptr<sql::session>(std::move(opened).value());
    _key = _state->register_session(_session);

    send_changed_settings();
    _w.begin('K');
    _w.put_i32(_key->pid);
    _w.put_i32(_key->secret);
    _w.end();
    send_ready();
    co_await flush();
    co_return !_closed;
}

}  // namespace spate::pgwire
