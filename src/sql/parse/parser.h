#pragma once

// Statement parsing: libpg_query (PostgreSQL 15 grammar) plus Spate's
// streaming extension layer (docs/sql.md, "Extensions"):
//
//   CREATE SOURCE [IF NOT EXISTS] name [(columns [, WATERMARK FOR col AS expr])]
//       WITH (key = value, ...)     (no columns: from the format's schema)
//   CREATE SINK [IF NOT EXISTS] name AS query [EMIT ON WINDOW CLOSE] WITH (...)
//   CREATE MATERIALIZED VIEW name AS query [EMIT ON WINDOW CLOSE]  (PostgreSQL's
//       statement; the layer cuts the clause out before libpg_query sees it)
//   CREATE SINK [IF NOT EXISTS] name FROM relation WITH (...)
//   SHOW SOURCES | SINKS | MATERIALIZED VIEWS
//   DROP SOURCE | SINK [IF EXISTS] name [, ...] [CASCADE | RESTRICT]
//   EXPLAIN CREATE SINK ...
//
// The layer recognises these by their leading keywords, hands the
// PostgreSQL-shaped parts (column list, watermark expression, query) to
// libpg_query and keeps every position relative to the caller's text, so
// errors point at the offending token of what the user wrote.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sql/types/error.h"

namespace spate::sql {

enum class statement_kind {
    pg,
    create_source,
    create_sink,
    show_objects,
    drop_objects,
    subscribe,        // SUBSCRIBE, DECLARE ... CURSOR FOR SUBSCRIBE (parse_serving.h)
    explain_analyze,  // EXPLAIN ANALYZE view-or-sink (parse_serving.h)
};
enum class object_kind { source, sink, view };

struct with_option {
    std::string key;  // lower case
    std::string value;
    int position = 0;  // 0-based byte offset of the key in the query string
};

struct watermark_clause {
    std::string column;
    nlohmann::json expr;  // libpg_query expression node
    int offset = 0;       // add to the node's locations for query-string offsets
    std::string text;
};

struct parsed_statement {
    statement_kind kind = statement_kind::pg;
    std::string text;  // the statement as written (no trailing ';')
    int offset = 0;    // of `text` in the whole query string
    // pg: the statement node ({"SelectStmt": {...}}, ...); create_source: a
    // CreateStmt node; create_sink AS: the query's statement node.
    nlohmann::json tree;
    int tree_offset = 0;  // add to the tree's locations for query-string offsets
    // Extension statements.
    std::string name;
    bool if_not_exists = false;
    std::vector<with_option> options;
    std::optional<watermark_clause> watermark;
    std::string from;                           // CREATE SINK ... FROM relation
    std::string query_text;                     // CREATE SINK ... AS query
    object_kind objects = object_kind::source;  // SHOW / DROP
    std::vector<std::string> names;             // DROP
    bool if_exists = false;
    bool cascade = false;
    bool explain = false;  // EXPLAIN CREATE SINK ...: plan only
    // `... EMIT ON WINDOW CLOSE` after the query of CREATE MATERIALIZED VIEW
    // or CREATE SINK (before the sink's WITH): each window's rows once, final.
    // The clause is blanked out of the text libpg_query parses (positions
    // kept; `text` keeps it) and excluded from `query_text`. Anywhere else it
    // is an error at its EMIT: syntax_error inside those statements (a
    // subquery, after WITH, sink FROM), feature_not_supported elsewhere.
    bool emit_on_window_close = false;
    // SUBSCRIBE and EXPLAIN ANALYZE (parse_serving.h): `name` is what they
    // read, `options` SUBSCRIBE's WITH (...).
    std::string cursor;       // DECLARE cursor ... FOR SUBSCRIBE: its name
    bool with_hold = false;   // DECLARE ... WITH HOLD
    bool kind_given = false;  // EXPLAIN ANALYZE MATERIALIZED VIEW | SINK: `objects`
};

// Every statement of `sql` (empty statements dropped). Errors carry 1-based
// positions into `sql`; syntax errors are syntax_error (42601).
sql_result<std::vector<parsed_statement>> parse_sql(std::string_view sql);

// The 1-based error position of a tree location `location` (-1: none).
inline int error_position(const parsed_statement& s, int location) {
    return location < 0 ? 0 : s.offset + s.tree_offset + location + 1;
}

}  // namespace spate::sql
