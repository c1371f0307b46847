#pragma once

// Virtual pg_catalog and information_schema relations: what PostgreSQL
// clients (psql's \d family, JDBC, psycopg, BI tools) read to discover
// relations and columns. Built from the SQL catalog each time a query names
// one, as immutable in-memory rows.
//
// Mapping: sources are tables (relkind 'r'), materialized views are
// relkind 'm' (information_schema table_type 'VIEW'); sinks are not
// relations. Everything lives in schema public. A relation's OID is derived
// from its catalog id (stable across restarts, unique per creation);
// columns carry PostgreSQL type OIDs, Kafka metadata columns are system
// columns (negative attnum). Tables Spate has no content for (indexes,
// constraints, policies, ...) exist empty so client queries succeed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/catalog/catalog.h"
#include "sql/types/column.h"

namespace spate::sql {

inline constexpr int64_t k_pg_catalog_namespace_oid = 11;
inline constexpr int64_t k_public_namespace_oid = 2200;
inline constexpr int64_t k_information_schema_namespace_oid = 13000;
inline constexpr int64_t k_first_user_oid = 16384;

struct system_table {
    std::string schema;  // "pg_catalog" or "information_schema"
    std::string name;
    std::vector<column_def> columns;
    std::shared_ptr<const chunk> rows;  // columns typed as `columns`
};

// The system relation `schema`.`name` ("" schema: pg_catalog), built from
// `cat` now; nothing when there is no such relation.
std::optional<system_table> find_system_table(std::string_view schema, std::string_view name,
                                              const catalog& cat);

// The OID of catalog object `o` (>= k_first_user_oid).
int64_t object_oid(const catalog_object& o);

// The OID `name` ("bid", "public.bid", "pg_catalog.pg_class", "\"Bid\"")
// names as a regclass: a source, view or system table; nothing if none.
std::optional<int64_t> regclass_oid(std::string_view name, const catalog& cat);

// pg_get_viewdef: the query of the materialized view `regclass` (an OID or
// a name, as regclass_oid reads it) names, as written; nothing otherwise.
std::optional<std::string> view_definition(std::string_view regclass, const catalog& cat);

// PostgreSQL's type OID and type modifier (-1: none) of `t`.
int64_t pg_type_oid(const data_type& t);
int32_t pg_type_modifier(const data_type& t);
// format_type(oid, typmod): "bigint", "character varying(20)", "numeric(10,2)",
// "timestamp with time zone"; "???" for unknown OIDs as PostgreSQL.
std::string pg_format_type(int64_t oid, std::optional<int32_t> typmod);

}  // namespace spate::sql
