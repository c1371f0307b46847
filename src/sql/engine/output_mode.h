#pragma once

// How a view's or sink's output rows become records (docs/sql.md, "Sinks"
// and "Reading materialized views"): the query_spec's output_type and
// key_columns, checked against the query's plan.
//
// Sinks: WITH (type = 'append' | 'upsert' | 'debezium', primary_key =
// 'col1,col2'); upsert and debezium need a primary key of output columns
// (that contains the query's unique key when the query updates rows);
// an append sink over an updating query is refused, naming the fixes.
// Views: an updating view's topic is an upsert changelog keyed by its
// unique key (every GROUP BY key must be selected).

#include <string>
#include <vector>

#include "sql/catalog/catalog.h"
#include "sql/parse/parser.h"
#include "sql/plan/stream_planner.h"
#include "sql/stream/continuous_query.h"

namespace spate::sql {

struct output_mode {
    sink_type type = sink_type::append;
    std::vector<int> key_columns;  // output columns; empty: null record keys
};

// A sink's mode from its WITH options. `reads_updating_view` names a view
// with an upsert key the query reads (its rows update), or is empty.
// Errors point at the offending option (or `statement_position`).
sql_result<output_mode> sink_output_mode(const std::string& sink,
                                         const std::vector<with_option>& options,
                                         const stream_plan& plan,
                                         const std::string& reads_updating_view,
                                         int statement_position);

// A view's mode: append for an append-only query, else upsert keyed by the
// plan's unique key (refused when it has none).
sql_result<output_mode> view_output_mode(const std::string& view, const stream_plan& plan,
                                         const std::string& reads_updating_view,
                                         int statement_position);

// The first relation of `relations` that is a view with an upsert key.
std::string updating_view_among(const std::vector<std::string>& relations, const catalog& cat);

}  // namespace spate::sql
