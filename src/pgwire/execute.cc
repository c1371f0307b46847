// Running a portal: its cursor's rows as DataRows (or CopyData for COPY TO
// STDOUT), fetched chunk by chunk on the pool and flushed per chunk, then
// CommandComplete; PortalSuspended when the Execute's row limit is reached.
// A cursor that never ends (SUBSCRIBE) returns empty chunks while idle: the
// connection then checks that its client is still there and asks again
// after k_idle_poll, waiting on its strand, so idle subscriptions hold no
// pool thread.

#include <algorithm>
#include <chrono>

#include <boost/asio/steady_timer.hpp>

#include "base/log.h"
#include "pgwire/backend.h"
#include "pgwire/connection.h"
#include "pgwire/copy_format.h"

namespace spate::pgwire {

namespace asio = boost::asio;

namespace {

// How long a statement that had nothing to send waits before asking again.
constexpr auto k_idle_poll = std::chrono::milliseconds(20);

}  // namespace

asio::awaitable<pg_connection::error_or_none> pg_connection::start_portal(
    const std::shared_ptr<portal>& p, bool describe) {
    auto session = _session;
    auto stmt = p->stmt;
    auto job = [session, stmt, params = std::move(p->parameters)]() mutable {
        return session->execute(stmt, std::move(params));
    };
    auto started = co_await run_blocking(job);
    if (!started.ok()) {
        p->done = true;
        co_return to_pg_error(started.error());
    }
    p->cursor = std::move(started).value();
    if (auto copy = stmt->copy_out()) {
        const auto& columns = stmt->result_columns();
        _w.begin('H');
        _w.put_u8(0);
        _w.put_i16(static_cast<int16_t>(columns.size()));
        for (size_t i = 0; i < columns.size(); ++i)
            _w.put_i16(0);
        _w.end();
        if (copy->csv && copy->header) {
            _w.begin('d');
            append_copy_header(columns, *copy, _w.buffer());
            _w.end();
        }
    } else if (describe && stmt->returns_rows()) {
        write_row_description(_w, stmt->result_columns(), {});
    }
    co_return std::nullopt;
}

size_t pg_connection::send_pending(portal& p, size_t limit) {
    if (!p.pending) return 0;
    const sql::chunk& c = *p.pending;
    const size_t n = std::min(limit, c.rows() - p.pending_row);
    auto copy = p.stmt->copy_out();
    const bool rows = p.stmt->returns_rows() || copy;
    for (size_t i = 0; rows && i < n; ++i) {
        const size_t row = p.pending_row + i;
        if (copy) {
            _w.begin('d');
            append_copy_row(c, row, *copy, _w.buffer());
            _w.end();
        } else {
            write_data_row(_w, c, row, p.result_formats);
        }
    }
    p.pending_row += n;
    if (p.pending_row >= c.rows()) p.pending.reset();
    if (rows) p.rows_sent += n;
    return n;
}

asio::awaitable<pg_connection::error_or_none> pg_connection::finish_portal(portal& p) {
    p.done = true;
    if (p.stmt->copy_out()) {
        write_empty(_w, 'c');
        write_command_complete(_w, "COPY " + std::to_string(p.rows_sent));
    } else {
        write_command_complete(_w, p.cursor->command_tag());
    }
    p.cursor.reset();
    send_changed_settings();
    co_return std::nullopt;
}

asio::awaitable<pg_connection::error_or_none> pg_connection::run_portal(
    const std::shared_ptr<portal>& p, size_t max_rows, bool describe) {
    if (p->done) {
        write_command_complete(_w, p->stmt->copy_out() ? "COPY 0" : "SELECT 0");
        co_return std::nullopt;
    }
    if (!p->cursor) {
        auto err = co_await start_portal(p, describe);
        if (err) co_return err;
    }
    // COPY ignores the row limit (PostgreSQL sends the whole result).
    const bool limited = max_rows > 0 && !p->stmt->copy_out();
    size_t sent = 0;
    const size_t fetch = _state->options().rows_per_fetch;
    for (;;) {
        if (limited && sent >= max_rows) {
            write_empty(_w, 's');
            co_return std::nullopt;
        }
        const size_t want = limited ? std::min(fetch, max_rows - sent) : fetch;
        if (p->pending) {
            sent += send_pending(*p, want);
            continue;
        }
        auto job = [p, want] { return p->cursor->next(want); };
        auto next = co_await run_blocking(job);
        if (_closed) co_return std::nullopt;
        if (!next.ok()) {
            p->done = true;
            p->cursor.reset();
            co_return to_pg_error(next.error());
        }
        if (!next.value()) co_return co_await finish_portal(*p);
        if (next.value()->rows() == 0) {
            // A statement that never ends (SUBSCRIBE) with nothing new: wait
            // on the strand (not a pool thread), noticing a client that left.
            if (peer_gone()) {
                logging::get("pgwire").info("{} went away during a statement; closing",
                                            _info.peer_address);
                close();
            }
            if (_closed) co_return std::nullopt;
            asio::steady_timer idle(_stream.get_executor(), k_idle_poll);
            co_await idle.async_wait(asio::use_awaitable);
            if (_closed) co_return std::nullopt;
            continue;
        }
        p->pending = std::move(*next.value());
        p->pending_row = 0;
        sent += send_pending(*p, want);
        co_await flush();
        if (_closed) co_return std::nullopt;
    }
}

}  // namespace spate::pgwire
