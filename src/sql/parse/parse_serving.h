#pragma once

// The serving statements of the extension layer (docs/sql.md, "SUBSCRIBE"
// and "EXPLAIN ANALYZE"), recognised by their leading words:
//
//   SUBSCRIBE [TO] name [WITH (snapshot = true | false)]
//   DECLARE cursor [BINARY] [INSENSITIVE] [[NO] SCROLL] CURSOR
//       [WITH HOLD | WITHOUT HOLD] FOR SUBSCRIBE ...
//   EXPLAIN ANALYZE [MATERIALIZED VIEW | VIEW | SINK] name
//
// DECLARE ... FOR a query is PostgreSQL's own grammar and not handled here.

#include <optional>
#include <string_view>

#include "sql/parse/parser.h"

namespace spate::sql {

// The statement `text` (at `offset` in the query string) if it is one of
// the above; nullopt otherwise. Errors are syntax errors with positions in
// the query string.
std::optional<sql_result<parsed_statement>> parse_serving_statement(std::string_view text,
                                                                    int offset);

}  // namespace spate::sql
