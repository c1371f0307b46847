#pragma once

// The engine's prepared statements and cursors (session.h).

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/engine/session.h"
#include "sql/exec/batch.h"
#include "sql/parse/parser.h"
#include "sql/plan/logical_plan.h"

namespace spate::sql {

enum class statement_op {
    query,    // SELECT (also COPY (query) TO STDOUT)
    explain,  // rows of plan text, computed at prepare
    create_source,
    create_view,
    create_sink,
    drop,
    show_objects,
    show_setting,
    set_setting,
    reset_setting,
    begin,
    commit,
    rollback,
    noop,  // accepted, no effect (DISCARD, DEALLOCATE, LISTEN, ...): `tag`
    // Serving (session_serving.h).
    subscribe,        // SUBSCRIBE `relation`: rows until cancelled
    declare_cursor,   // DECLARE `cursor_name` CURSOR FOR query (`plan`) | SUBSCRIBE
    fetch,            // FETCH `fetch_count` FROM `cursor_name` (MOVE: `fetch_move`)
    close_cursor,     // CLOSE `cursor_name` (empty: ALL)
    explain_analyze,  // EXPLAIN ANALYZE `parsed.name`
};

class statement_impl final : public statement {
  public:
    const std::vector<data_type>& parameter_types() const override { return params; }
    const std::vector<column_def>& result_columns() const override { return columns; }
    bool returns_rows() const override { return !columns.empty(); }
    const std::string& text() const override { return parsed.text; }
    std::optional<copy_out_options> copy_out() const override { return copy; }

    statement_op op = statement_op::noop;
    parsed_statement parsed;
    plan_ptr plan;  // query
    std::vector<data_type> params;
    std::vector<column_def> columns;
    std::optional<copy_out_options> copy;
    std::string tag;                 // command tag of commands
    std::vector<std::string> lines;  // explain
    // EXPLAIN ANALYZE <query>: the query, run (and timed) at execution.
    std::shared_ptr<statement_impl> analyzed;
    // Settings: name and value (SET), drop details.
    std::string setting_name;
    std::string setting_value;
    catalog_kind drop_kind = catalog_kind::source;
    // Serving statements.
    relation_def relation;                   // SUBSCRIBE (also DECLARE ... FOR SUBSCRIBE)
    bool subscribes = false;                 // DECLARE ... FOR SUBSCRIBE
    std::string cursor_name;                 // DECLARE, FETCH, CLOSE
    std::vector<column_def> cursor_columns;  // DECLARE: the cursor's rows
    bool with_hold = false;                  // DECLARE ... WITH HOLD
    int64_t fetch_count = 1;                 // -1: ALL
    bool fetch_move = false;                 // MOVE: rows skipped, none returned
};

// A cursor over rows already computed.
class static_cursor final : public cursor {
  public:
    static_cursor(std::optional<chunk> rows, std::string tag);
    sql_result<std::optional<chunk>> next(size_t max_rows) override;
    std::string command_tag() const override { return _tag; }

  private:
    std::optional<chunk> _rows;
    size_t _pos = 0;
    std::string _tag;
};

// A cursor over a batch plan.
class query_cursor final : public cursor {
  public:
    query_cursor(std::unique_ptr<batch_env> env, batch_ptr root, bool copy);
    sql_result<std::optional<chunk>> next(size_t max_rows) override;
    std::string command_tag() const override;

  private:
    std::unique_ptr<batch_env> _env;  // outlives _root (declared first)
    batch_ptr _root;
    std::optional<chunk> _pending;
    size_t _pending_pos = 0;
    size_t _rows = 0;
    bool _copy;
};

// A text column chunk of `lines` (EXPLAIN, SHOW).
chunk text_rows(const std::vector<std::vector<std::string>>& rows, size_t width);

}  // namespace spate::sql
