#pragma once

// The session's serving statements (internal to session_impl.cc): SUBSCRIBE,
// DECLARE ... CURSOR, FETCH, MOVE, CLOSE and EXPLAIN ANALYZE
// (docs/sql.md). Query cursors (DECLARE ... FOR SELECT) are planned and
// started by the session itself.

#include <atomic>
#include <chrono>
#include <memory>

#include "sql/engine/engine.h"
#include "sql/engine/named_cursors.h"
#include "sql/engine/statement_impl.h"

namespace spate::sql {

// Prepares `s` (statement_kind subscribe or explain_analyze, or a pg
// FetchStmt / ClosePortalStmt / DeclareCursorStmt node): sets op and the
// result columns known now. DECLARE ... FOR a query is left to the caller
// (op declare_cursor, subscribes false).
sql_status prepare_serving(statement_impl& s, const engine& e, const named_cursors& cursors);

struct serving_context {
    engine& e;
    named_cursors& cursors;
    const std::atomic<bool>* cancelled;
    std::chrono::milliseconds fetch_wait;  // FETCH from a SUBSCRIBE cursor
};

// Runs a prepared serving statement other than DECLARE ... FOR a query.
sql_result<std::unique_ptr<cursor>> run_serving(statement_impl& s, const serving_context& c);

// DECLARE: registers `rows` as cursor s.cursor_name.
sql_result<std::unique_ptr<cursor>> declare_cursor(statement_impl& s, named_cursors& cursors,
                                                   std::unique_ptr<cursor> rows);

}  // namespace spate::sql
