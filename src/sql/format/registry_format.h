#pragma once

// The schema-registry record formats (avro, protobuf, json_sr): Confluent's
// wire framing, writer schemas looked up by id, SQL columns from a
// registered schema and a registered schema from SQL columns.
//
// Confluent framing: byte 0 is the magic 0, bytes 1..4 the schema id (big
// endian), then for Protobuf the message-index path (a zig-zag varint count
// and that many zig-zag varint indexes; the single byte 0 means the first
// message), then the payload.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "registry/core/provider.h"
#include "registry/core/service.h"
#include "sql/format/format.h"

namespace spate::sql {

// A schema as the registry holds it under an id.
struct registered_schema {
    int32_t id = 0;
    registry::schema_type type = registry::schema_type::avro;
    std::string text;
    // Every schema it depends on, transitively, dependencies first.
    std::vector<registry::resolved_reference> references;
};
using registered_schema_ptr = std::shared_ptr<const registered_schema>;

// Writer schemas by id, for decoders. Thread-safe; shared by every decoder
// of the engine.
class schema_lookup {
  public:
    virtual ~schema_lookup() = default;
    // Errors: undefined_object for an id the registry does not know,
    // io_error when the registry cannot answer.
    virtual sql_result<registered_schema_ptr> by_id(int32_t id) = 0;
};

// Literal schemas (unit tests).
class static_schema_lookup final : public schema_lookup {
  public:
    void add(registered_schema s);
    sql_result<registered_schema_ptr> by_id(int32_t id) override;

  private:
    std::mutex _mu;
    std::map<int32_t, registered_schema_ptr> _schemas;
};

// Over the registry's service (default context): get_schema, references
// resolved through get_version. Schemas under an id never change, so each
// id is looked up once and cached.
std::shared_ptr<schema_lookup> make_registry_lookup(std::shared_ptr<registry::service> s);

bool is_registry_format(record_format f);
// The registry's type of a registry format's schemas (avro -> AVRO,
// json_sr -> JSON, protobuf -> PROTOBUF).
registry::schema_type registry_schema_type(record_format f);

// The Confluent header of a record value.
struct framed_value {
    int32_t schema_id = 0;
    std::string_view payload;  // after the 5-byte header
};
// Errors (invalid_text_representation): a null or short value, a first
// byte that is not the magic 0.
sql_result<framed_value> parse_framing(std::optional<std::string_view> value);
// Appends the magic byte and `id`.
void append_framing(int32_t id, std::string& out);

// The columns of a registered schema's records (docs/sql.md, "Formats",
// gives the type mapping): an Avro record's fields, a JSON Schema object's
// properties, a Protobuf message's fields (`message`: its full name; empty:
// the first message of the file). Errors: feature_not_supported when the
// schema is not of a record shape (an Avro record, a JSON object).
sql_result<std::vector<column_def>> columns_from_schema(const registered_schema& s,
                                                        std::string_view message = {});

// The schema a sink writes for rows of `columns`: an Avro record named
// `name`, a JSON Schema object titled `name`, a proto3 message `name`.
// Every field is nullable. Errors: invalid_parameter_value for a column name
// the format cannot carry (Avro and Protobuf names are identifiers).
sql_result<registry::schema_input> sink_schema(record_format f, std::string_view name,
                                               std::span<const column_def> columns);

}  // namespace spate::sql
