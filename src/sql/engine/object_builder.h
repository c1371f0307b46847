#pragma once

// Catalog objects from CREATE statements, and continuous-query plans from
// catalog objects (used at CREATE and again when a restarted server
// resumes the object from its stored CREATE text).

#include <functional>

#include "kafka/client/config.h"
#include "sql/catalog/catalog.h"
#include "sql/engine/output_mode.h"
#include "sql/engine/registry_ddl.h"
#include "sql/parse/parser.h"
#include "sql/plan/stream_planner.h"

namespace spate::sql {

// CREATE SOURCE: checks the topic exists and the options are known.
// Registry formats without a column list take the columns of their
// subject's latest schema from `reg`.
sql_result<catalog_object> build_source(const parsed_statement& s,
                                        const kafka::client::client_config& kafka,
                                        const schema_registry_ref& reg);
// CREATE MATERIALIZED VIEW (a CreateTableAsStmt).
sql_result<catalog_object> build_view(const parsed_statement& s, const catalog& cat);
// CREATE SINK ... AS query | FROM relation. Registry formats register the
// output schema under the sink's subject in `reg` (the schema stays
// registered if the sink then fails to start).
// `check_reads` (optional) is asked about the relations the sink reads
// before anything is registered; its error is the result.
sql_result<catalog_object> build_sink(
    const parsed_statement& s, const catalog& cat, const schema_registry_ref& reg,
    const std::function<sql_status(const std::vector<std::string>&)>& check_reads = {});

// The dataflow of a view's or sink's query, bound against `cat`.
sql_result<stream_plan> plan_continuous(const catalog_object& o, const catalog& cat);

// How the output rows of view or sink `o` (planned as `plan`) become
// records (output_mode.h).
sql_result<output_mode> output_mode_of(const catalog_object& o, const stream_plan& plan,
                                       const catalog& cat);

// The output topic of a view.
std::string view_topic(const std::string& view);

}  // namespace spate::sql
