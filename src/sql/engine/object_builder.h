#pragma once

// Catalog objects from CREATE statements, and continuous-query plans from
// catalog objects (used at CREATE and again when a restarted server
// resumes the object from its stored CREATE text).

#include "kafka/client/config.h"
#include "sql/catalog/catalog.h"
#include "sql/parse/parser.h"
#include "sql/plan/stream_planner.h"

namespace spate::sql {

// CREATE SOURCE: checks the topic exists and the options are known.
sql_result<catalog_object> build_source(const parsed_statement& s,
                                        const kafka::client::client_config& kafka);
// CREATE MATERIALIZED VIEW (a CreateTableAsStmt).
sql_result<catalog_object> build_view(const parsed_statement& s, const catalog& cat);
// CREATE SINK ... AS query | FROM relation.
sql_result<catalog_object> build_sink(const parsed_statement& s, const catalog& cat);

// The dataflow of a view's or sink's query, bound against `cat`.
sql_result<stream_plan> plan_continuous(const catalog_object& o, const catalog& cat);

// The output topic of a view.
std::string view_topic(const std::string& view);

}  // namespace spate::sql
