#pragma once

// The PostgreSQL wire protocol (v3) server: a net::connection_factory that
// serves SQL sessions to PostgreSQL clients (psql, libpq, JDBC, ...).
//
// Each accepted connection opens one sql::session. Session calls (prepare,
// execute, fetching rows) may block, so they run on a thread pool owned by
// the factory, one statement at a time per connection; the connection's I/O
// stays on its strand. CancelRequests arriving on other connections find
// the session through a registry (backend pid + secret key) shared by all
// connections of the factory.

#include <cstddef>
#include <memory>

#include "net/listener.h"
#include "pgwire/auth.h"
#include "sql/engine/session.h"

namespace spate::pgwire {

struct pg_options {
    // A frontend message (type byte excluded) longer than this is a protocol
    // violation: ErrorResponse 08P01 and the connection closes.
    size_t max_message_bytes = size_t{64} << 20;
    // Threads running session calls, shared by every connection.
    size_t execution_threads = 4;
    // Rows asked of a cursor per fetch; each fetch is written and flushed.
    size_t rows_per_fetch = 1024;
    // Set: an SSLRequest is answered 'S' and the connection continues over
    // TLS with this context; unset: 'N' (the client may go on in plaintext).
    std::shared_ptr<boost::asio::ssl::context> tls;
    // Client authentication (auth.h); trust by default.
    auth_options auth;
};

// The factory owns the execution pool and the cancel registry; connections
// keep them alive. Destroying the last reference waits for running
// statements (after cancelling them).
net::connection_factory make_pg_connection_factory(std::shared_ptr<sql::session_factory> sessions,
                                                   pg_options options = {});

}  // namespace spate::pgwire
