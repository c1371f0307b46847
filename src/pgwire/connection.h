#pragma once

// One PostgreSQL client connection (internal). A single coroutine on the
// stream's strand reads a message, handles it and writes the answers:
// startup (startup.cc), simple query (simple_query.cc), the extended
// protocol (extended_query.cc) and portal execution with rows or COPY
// (execute.cc). Session calls run on the factory's pool via run_blocking(),
// one at a time; the coroutine waits for each.
//
// Output is appended to one reused buffer and flushed on Sync, Flush, the
// end of a simple query, after every fetched chunk of rows, and when it
// grows past a threshold.
//
// Errors: SQL errors are values (pg_error) sent as ErrorResponse; in the
// extended protocol the messages up to the next Sync are then discarded.
// Protocol violations send ErrorResponse 08P01 and close this connection.
// A socket error or stop() closes it (the running statement is cancelled).

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/connection_info.h"
#include "net/listener.h"
#include "net/stream.h"
#include "pgwire/message.h"
#include "pgwire/server_state.h"
#include "pgwire/sqlstate.h"
#include "sql/engine/session.h"

namespace spate::pgwire {

// A bound statement; its cursor exists from the first Execute on.
struct portal {
    std::shared_ptr<sql::statement> stmt;
    std::vector<sql::value> parameters;  // moved into execute() at the first Execute
    std::vector<int16_t> result_formats;
    std::unique_ptr<sql::cursor> cursor;
    std::optional<sql::chunk> pending;  // fetched rows not yet sent (from pending_row)
    size_t pending_row = 0;
    size_t rows_sent = 0;
    bool done = false;
};

class pg_connection final : public net::connection,
                            public std::enable_shared_from_this<pg_connection> {
  public:
    pg_connection(std::shared_ptr<server_state> state, net::stream s, net::connection_info info);
    ~pg_connection() override;

    void start() override;
    // Any thread: posts the close to the strand and cancels the running statement.
    void stop() override;

  private:
    using error_or_none = std::optional<pg_error>;
    template <typename T>
    using task = boost::asio::awaitable<T>;

    struct frontend_message {
        char type = 0;
        std::string_view body;  // into _in, valid until the next read
    };

    // connection.cc
    task<void> run();
    // `max_bytes` 0: options().max_message_bytes.
    task<std::optional<frontend_message>> read_message(size_t max_bytes = 0);
    task<void> dispatch_message(const frontend_message& m);
    task<void> flush();
    task<void> flush_if_large();
    // Sends ErrorResponse 08P01 and closes.
    // `message` must not be a temporary of the co_await expression (GCC 12).
    task<void> protocol_violation(std::string_view message);
    void close();
    // True when the client closed its end or sent Terminate while a
    // statement runs (a non-blocking peek; the socket is not read).
    bool peer_gone();
    void send_error(const pg_error& e);
    void send_ready();
    void send_changed_settings();

    // startup.cc: false when the connection must close (answered or not).
    task<bool> startup();
    task<bool> read_startup_packet(std::string& body);
    task<bool> open_session(std::string_view params);
    task<void> handle_cancel_request(std::string_view body);

    // authentication.cc: authenticates the startup packet's `user` as
    // options().auth says (the caller then sends AuthenticationOk); false
    // when the connection must close (FATAL sent, after the failure delay
    // for a failed login; 08P01 for a malformed message). Every outcome is
    // audited.
    task<bool> authenticate(const std::string& user);
    task<bool> authenticate_password(const std::string& user);
    task<bool> authenticate_scram(const std::string& user);
    // The next message, which must be a PasswordMessage-family 'p' message
    // of at most k_max_auth_message_bytes; nullopt: the connection closes
    // (protocol violation sent, and audited as a failed login).
    task<std::optional<frontend_message>> read_auth_message(const std::string& user,
                                                            std::string_view mechanism);
    // A failed login: waits failed_delay_ms, sends FATAL 28P01 (one message
    // whatever `reason`), audits, closes. Returns false.
    task<bool> refuse_login(const std::string& user, std::string_view mechanism,
                            std::string_view reason);
    task<bool> auth_violation(const std::string& user, std::string_view mechanism,
                              std::string_view reason);
    void audit_login(const std::string& user, std::string_view mechanism, bool success,
                     std::string_view detail);

    // simple_query.cc
    task<void> simple_query(std::string_view body);

    // extended_query.cc
    task<error_or_none> on_parse(std::string_view body);
    task<error_or_none> on_bind(std::string_view body);
    task<error_or_none> on_describe(std::string_view body);
    task<error_or_none> on_execute(std::string_view body);
    task<error_or_none> on_close(std::string_view body);
    // Decodes Bind's parameters into `p`; closes on a malformed message.
    task<error_or_none> bind_parameters(message_reader& r, portal& p);

    // execute.cc: runs `p` until done or `max_rows` (> 0) rows were sent
    // (PortalSuspended). `describe` sends RowDescription first (simple query).
    task<error_or_none> run_portal(const std::shared_ptr<portal>& p, size_t max_rows,
                                   bool describe);
    task<error_or_none> start_portal(const std::shared_ptr<portal>& p, bool describe);
    task<error_or_none> finish_portal(portal& p);
    // Sends up to `limit` rows of p's pending chunk; returns how many.
    size_t send_pending(portal& p, size_t limit);

    // Runs `f` (moved from) on the pool; resumes on the strand with its
    // result. Takes `f` by reference and awaits named objects only: GCC 12
    // mishandles non-trivial temporaries and by-value parameters that live
    // across a co_await.
    template <typename F>
    task<std::invoke_result_t<F&>> run_blocking(F& f) {
        using result_t = std::invoke_result_t<F&>;
        auto box = std::make_shared<std::optional<result_t>>();
        auto work = std::make_shared<F>(std::move(f));
        // The job is released on the pool before the strand resumes, so the
        // last reference to what it captured is never dropped on the pool.
        auto body = [box, work]() mutable -> task<void> {
            box->emplace((*work)());
            work.reset();
            co_return;
        };
        co_await boost::asio::co_spawn(_state->pool().get_executor(), std::move(body),
                                       boost::asio::use_awaitable);
        co_await boost::asio::dispatch(_stream.get_executor(), boost::asio::use_awaitable);
        co_return std::move(**box);
    }

    std::shared_ptr<server_state> _state;
    net::stream _stream;
    net::connection_info _info;  // security_protocol becomes SSL after an SSLRequest
    std::string _in;             // the body of the message being handled
    std::string _out;            // unsent backend messages
    message_writer _w{_out};
    std::shared_ptr<sql::session> _session;
    std::optional<backend_key> _key;
    std::map<std::string, std::shared_ptr<sql::statement>> _statements;
    std::map<std::string, std::shared_ptr<portal>> _portals;
    bool _skip_until_sync = false;
    bool _closed = false;
};

}  // namespace spate::pgwire
