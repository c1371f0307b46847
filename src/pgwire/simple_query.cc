// Simple Query ('Q'): every statement of the string in turn, each with its
// RowDescription, rows and CommandComplete; the first error ends the query.
// ReadyForQuery always follows.

#include "pgwire/backend.h"
#include "pgwire/connection.h"

namespace spate::pgwire {

namespace asio = boost::asio;

asio::awaitable<void> pg_connection::simple_query(std::string_view body) {
    message_reader r(body);
    auto sql_text = r.cstring();
    if (!sql_text || !r.at_end()) {
        co_await protocol_violation("malformed Query message");
        co_return;
    }
    if (!valid_utf8(*sql_text)) {
        co_await protocol_violation("invalid UTF-8 in query string");
        co_return;
    }
    // The unnamed statement and portal do not survive a simple query.
    _statements.erase("");
    _portals.erase("");

    auto session = _session;
    auto job = [session, text = std::string(*sql_text)] { return session->prepare_all(text); };
    auto prepared = co_await run_blocking(job);
    if (_closed) co_return;
    if (!prepared.ok()) {
        send_error(to_pg_error(prepared.error()));
    } else if (prepared.value().empty()) {
        write_empty(_w, 'I');
    } else {
        for (auto& stmt : prepared.value()) {
            auto p = std::make_shared<portal>();
            p->stmt = stmt;
            auto err = co_await run_portal(p, 0, true);
            if (_closed) co_return;
            if (err) {
                send_error(*err);
                break;
            }
        }
    }
    send_ready();
    co_await flush();
}

}  // namespace spate::pgwire
