#pragma once

// Registered Protobuf schemas as the SQL formats use them: the linked file
// (from the registry's Protobuf provider), a message's fields as scalars or
// JSON, and their SQL types. Internal to the record formats; the functions
// are pure and may be called from any thread.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <memory>
#include <string>

#include "sql/format/registry_format.h"
#include "sql/format/scalar.h"

namespace spate::sql::format_detail {

namespace pb = google::protobuf;

// The linked file of `s` (a PROTOBUF schema with its references). Errors:
// invalid_parameter_value with the provider's message.
sql_result<std::shared_ptr<const pb::FileDescriptor>> protobuf_file_of(const registered_schema& s);

// The message the columns of a schema come from: `name` (full name), or
// the file's first message.
sql_result<const pb::Descriptor*> protobuf_record_message(const pb::FileDescriptor& file,
                                                          std::string_view name);

// google.protobuf.Timestamp and the wrapper messages (Int64Value, ...)
// read as a scalar; other messages as JSON.
bool protobuf_scalar_message(const pb::Descriptor& d);

// The SQL type of field `f` (docs/sql.md's mapping).
data_type protobuf_sql_type(const pb::FieldDescriptor& f);

// Field `f` of `m` (singular, not a message other than the scalar ones) as
// a scalar; `scratch` holds strings it points into. Unset fields with
// presence are null.
scalar protobuf_scalar(const pb::Message& m, const pb::FieldDescriptor& f, std::string& scratch);

// Appends field `f` of `m` as JSON (repeated fields as arrays, maps and
// messages as objects keyed by field name, enums by value name).
void append_protobuf_field_json(const pb::Message& m, const pb::FieldDescriptor& f,
                                std::string& out);

}  // namespace spate::sql::format_detail
