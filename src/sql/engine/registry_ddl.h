#pragma once

// The schema registry as SQL DDL uses it: a source's columns from its
// subject's latest schema, and a sink's output schema registered under its
// subject. The formats themselves (framing, codecs) are in
// sql/format/registry_format.h.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "registry/core/service.h"
#include "sql/format/registry_format.h"
#include "sql/parse/parser.h"

namespace spate::sql {

// Both null when the server runs no registry.
struct schema_registry_ref {
    std::shared_ptr<registry::service> service;
    std::shared_ptr<schema_lookup> lookup;
};

// The value subject of a source or sink over `topic`: the option
// `schema.subject`, else Confluent's TopicNameStrategy "<topic>-value".
std::string value_subject(const std::vector<with_option>& opts, const std::string& topic);

// Errors: feature_not_supported (at `position`) when `f` needs the registry
// and `reg` has none.
sql_status check_registry(record_format f, const schema_registry_ref& reg, int position);

// The columns of the latest schema of `subject`, which must be of `f`'s
// type; `message` picks a Protobuf message (empty: the first). Errors carry
// `position`: undefined_object (no such subject), datatype_mismatch (a
// schema of another type), io_error, and columns_from_schema's.
sql_result<std::vector<column_def>> columns_from_subject(const schema_registry_ref& reg,
                                                         record_format f,
                                                         const std::string& subject,
                                                         std::string_view message, int position);

// Registers the schema of sink `sink`'s rows (sink_schema) under `subject`
// and returns its id (the existing id when the subject already holds it).
// Errors carry `position`: datatype_mismatch when the subject's
// compatibility level refuses it (the registry's reasons in the message),
// invalid_parameter_value (names the format cannot carry, a read-only
// subject), io_error.
sql_result<int32_t> register_sink_schema(const schema_registry_ref& reg, record_format f,
                                         const std::string& sink, const std::string& subject,
                                         std::span<const column_def> columns, int position);

}  // namespace spate::sql
