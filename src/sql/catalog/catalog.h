#pragma once

// The SQL catalog in memory: sources, materialized views and sinks, with
// the dependencies between them. Relations (sources and views) and sinks
// share one namespace. Definitions serialise to JSON for catalog_log.
// Thread-safe: every method takes the catalog's lock; returned objects are
// copies.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sql/format/format.h"
#include "sql/types/error.h"

namespace spate::sql {

enum class catalog_kind { source, view, sink };
std::string_view catalog_kind_name(catalog_kind k);  // "source", "materialized view", "sink"

// What a query reads: a source, or a view through its output topic.
struct relation_def {
    catalog_kind kind = catalog_kind::source;
    std::string name;
    std::string topic;
    record_format format = record_format::json;
    std::vector<column_def> columns;  // declared columns (hidden ones come from format.h)
    // Views: the columns keying an updating view's topic, an upsert changelog
    // (docs/sql.md, "Reading materialized views"); empty: append-only.
    std::vector<int> upsert_key;
    bool start_earliest = true;
    decoder_options decoding;
    std::string dead_letter_topic;
    std::string watermark_column;  // empty: none
    std::string watermark_sql;     // the watermark expression as written
    // Source option idle_timeout_ms: a partition without records for this
    // long does not hold the watermark back (0: never idle).
    int64_t idle_timeout_ms = 0;
};

struct catalog_object {
    catalog_kind kind = catalog_kind::source;
    std::string name;
    std::string create_sql;  // the CREATE statement as written
    std::string id;          // unique per creation: names the query's consumer group
    relation_def relation;   // sources and views: how queries read it
    // Views and sinks: the continuous query.
    std::string query_sql;                // the SELECT as written (empty: sink FROM)
    std::string from;                     // sink FROM relation
    std::vector<std::string> depends_on;  // relations it reads
    std::string output_topic;
    record_format output_format = record_format::json;
    // Registry output formats: the id of the schema registered for the
    // sink's rows when it was created.
    int32_t output_schema_id = 0;
    bool exactly_once = true;
    int commit_interval_ms = 100;
    // EMIT ON WINDOW CLOSE (parser.h): each window's rows once, when the
    // watermark passes its end, append-only.
    bool emit_on_window_close = false;
    std::vector<std::pair<std::string, std::string>> options;  // WITH (...) as given
};

std::string catalog_key(const catalog_object& o);  // "source/bid"
std::string to_json(const catalog_object& o);
sql_result<catalog_object> catalog_object_from_json(std::string_view json);

class catalog {
  public:
    std::optional<catalog_object> find(const std::string& name) const;
    std::optional<relation_def> find_relation(const std::string& name) const;
    // Objects whose depends_on names `name`.
    std::vector<std::string> dependents(const std::string& name) const;
    std::vector<catalog_object> list(catalog_kind k) const;
    std::vector<catalog_object> all() const;  // creation order
    // Errors: duplicate_table when the name is taken.
    sql_status add(catalog_object o);
    void remove(const std::string& name);

  private:
    mutable std::mutex _mu;
    std::map<std::string, catalog_object> _objects;
    std::vector<std::string> _order;
};

}  // namespace spate::sql
