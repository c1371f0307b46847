#pragma once

// Internals of the schema-registry formats (registry_format.h): the
// per-format factories and the writer-schema lookup every decoder shares.

#include <memory>
#include <span>

#include "sql/format/registry_format.h"

namespace spate::sql::format_detail {

// The schema `id` from `schemas`, which must be of type `want`. Errors:
// undefined_object (unknown id, named in the message), datatype_mismatch
// (a schema of another type), io_error.
sql_result<registered_schema_ptr> writer_schema(schema_lookup& schemas, int32_t id,
                                                registry::schema_type want);

sql_result<std::unique_ptr<record_decoder>> make_avro_decoder(
    std::span<const column_def> declared, std::shared_ptr<schema_lookup> schemas);
sql_result<std::unique_ptr<record_decoder>> make_json_sr_decoder(
    std::span<const column_def> declared, std::shared_ptr<schema_lookup> schemas);
sql_result<std::unique_ptr<record_decoder>> make_protobuf_decoder(
    std::span<const column_def> declared, std::shared_ptr<schema_lookup> schemas);

sql_result<std::unique_ptr<row_encoder>> make_avro_encoder(std::span<const column_def> columns,
                                                           registered_schema_ptr writer);
sql_result<std::unique_ptr<row_encoder>> make_json_sr_encoder(std::span<const column_def> columns,
                                                              registered_schema_ptr writer);
sql_result<std::unique_ptr<row_encoder>> make_protobuf_encoder(std::span<const column_def> columns,
                                                               registered_schema_ptr writer);

// Avro and JSON Schema halves of columns_from_schema and sink_schema.
sql_result<std::vector<column_def>> avro_columns(const registered_schema& s);
sql_result<std::vector<column_def>> json_schema_columns(const registered_schema& s);
sql_result<std::vector<column_def>> protobuf_columns(const registered_schema& s,
                                                     std::string_view message);
sql_result<std::string> avro_sink_schema(std::string_view name,
                                         std::span<const column_def> columns);
sql_result<std::string> json_sink_schema(std::string_view name,
                                         std::span<const column_def> columns);
sql_result<std::string> protobuf_sink_schema(std::string_view name,
                                             std::span<const column_def> columns);

}  // namespace spate::sql::format_detail
