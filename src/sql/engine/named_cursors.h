#pragma once

// A session's SQL-level cursors: DECLARE name CURSOR FOR query | SUBSCRIBE,
// FETCH [FORWARD] n | ALL [FROM | IN] name, CLOSE name | ALL
// (docs/sql.md, "SUBSCRIBE"). FETCH of a query cursor returns its next n
// rows (fewer at the end); FETCH of a SUBSCRIBE cursor returns what has
// arrived, up to n, waiting up to `wait` for at least one row (none after
// that: zero rows, the cursor stays open). COMMIT and ROLLBACK close the
// cursors declared without HOLD.
//
// Threading: the session's thread.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sql/engine/session.h"
#include "sql/engine/subscribe.h"
#include "sql/plan/logical_plan.h"

namespace spate::sql {

class named_cursors {
  public:
    // Errors: duplicate_cursor when `name` is open. `plan` (of a query
    // cursor) is kept while the cursor is open: its operators refer to it.
    sql_status declare(const std::string& name, std::unique_ptr<cursor> c,
                       std::vector<column_def> columns, bool hold, plan_ptr plan);
    // The columns of cursor `name`; null when none is open.
    const std::vector<column_def>* columns(const std::string& name) const;
    // Up to `count` rows (-1: all). Errors: invalid_cursor_name, the
    // cursor's own.
    sql_result<chunk> fetch(const std::string& name, int64_t count, std::chrono::milliseconds wait);
    // Errors: invalid_cursor_name.
    sql_status close(const std::string& name);
    void close_all() { _open.clear(); }
    void end_transaction();

  private:
    struct entry {
        plan_ptr plan;  // outlives rows (declared first)
        std::unique_ptr<cursor> rows;
        subscribe_cursor* subscription = nullptr;  // into rows, for SUBSCRIBE
        std::vector<column_def> columns;
        bool hold = false;
        bool done = false;
    };
    sql_result<chunk> fetch_query(entry& e, int64_t count);

    std::map<std::string, entry> _open;
};

}  // namespace spate::sql
