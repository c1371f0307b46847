#pragma once

// Record formats of sources and sinks: Kafka record values <-> columns.
//
// A source's chunk has the declared columns first, in order, then the hidden
// Kafka metadata columns of `hidden_columns()`:
//   _partition INT, _offset BIGINT, _timestamp TIMESTAMPTZ, _key BYTEA,
//   _headers JSONB (object: header name -> value as a string; null if none),
//   _proctime TIMESTAMPTZ (the wall clock when the record was decoded)
// Decoders append to a chunk; a record that does not decode appends nothing
// and is reported in `failures` (the caller sends it to the dead-letter
// topic). Decoders are used by one thread at a time; no per-record heap
// allocation on the happy path.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sql/types/column.h"
#include "sql/types/error.h"
#include "sql/types/types.h"

namespace spate::sql {

struct column_def {
    std::string name;
    data_type type;
};

// avro, protobuf, json_sr: Confluent schema-registry framing
// (registry_format.h).
enum class record_format { json, csv, raw, avro, protobuf, json_sr };
// "json", "csv", "raw", "avro", "protobuf", "json_sr"
sql_result<record_format> parse_record_format(std::string_view name);
std::string_view format_name(record_format f);

class schema_lookup;
struct registered_schema;

// One Kafka record as a decoder sees it (views into the consumer's message).
struct record_header {
    std::string_view name;
    std::optional<std::string_view> value;
};
struct record_view {
    std::optional<std::string_view> key;
    std::optional<std::string_view> value;
    int32_t partition = 0;
    int64_t offset = 0;
    int64_t timestamp_ms = -1;
    std::span<const record_header> headers;
    // _proctime in microseconds since the epoch; 0: the decoder reads the
    // clock.
    int64_t proctime_micros = 0;
};

struct decode_failure {
    size_t index = 0;  // position of the record in the decoded span
    std::string reason;
};

const std::vector<column_def>& hidden_columns();
// A chunk with empty columns of `declared` then the hidden columns.
chunk make_source_chunk(std::span<const column_def> declared);
// The types of make_source_chunk's columns: declared, then hidden.
std::vector<data_type> source_column_types(std::span<const column_def> declared);

// Bit i of a hidden-column mask stands for hidden_columns()[i].
constexpr uint32_t k_all_hidden_columns = (1u << 6) - 1;

struct decoder_options {
    char csv_delimiter = ',';
    bool csv_header = false;  // skip a first record that equals the column names
    // The hidden columns the reader uses: the json decoder fills the others
    // with NULL in bulk instead of per record (the planner sets it for
    // stateless continuous queries; other formats fill every one).
    uint32_t hidden_read = k_all_hidden_columns;
};

class record_decoder {
  public:
    virtual ~record_decoder() = default;
    // Decodes `records` onto the end of `out` (layout of make_source_chunk).
    virtual void decode(std::span<const record_view> records, chunk& out,
                        std::vector<decode_failure>& failures) = 0;
};

// json: one object per record; fields matched to columns by name (case
// sensitive, then lower-case); missing fields and JSON null are NULL; extra
// fields ignored; numbers into integer columns must be integral and in range,
// strings into numeric/date/time columns parse with text_io; TIMESTAMP
// columns take "YYYY-MM-DD HH:MM:SS[.fff]" strings or epoch milliseconds;
// JSONB columns take any JSON value. A value of the wrong type fails the record.
// csv: RFC 4180 fields in column order. raw: exactly one declared column of
// type BYTEA or TEXT holding the whole value (TEXT must be valid UTF-8).
// avro, protobuf: the writer schema by the record's id from `schemas`
// (required for these formats; cached per id by the decoder); fields
// matched to columns by name as json; nullable unions and absent fields are
// NULL; nested records, arrays and maps decode to JSONB (docs/sql.md).
// json_sr: the id must name a JSON schema; the payload decodes as json.
// A record without the Confluent header or with an unknown id fails.
sql_result<std::unique_ptr<record_decoder>> make_decoder(
    record_format f, std::span<const column_def> declared, const decoder_options& o = {},
    std::shared_ptr<schema_lookup> schemas = nullptr);

// Sink encoding: one record value per row.
class row_encoder {
  public:
    virtual ~row_encoder() = default;
    // Replaces `out` with row `row` of `input` encoded.
    virtual void encode(const chunk& input, size_t row, std::string& out) = 0;
};

// json: an object keyed by column name in column order; NULL as null;
// booleans and integers/floats as JSON numbers (NaN/Infinity as strings);
// NUMERIC as an exact JSON number (its decimal text); timestamps as
// "YYYY-MM-DD HH:MM:SS[.fff]" strings (timestamptz with "+00"); dates,
// times and intervals as their PostgreSQL text; BYTEA as "\x.." hex text;
// JSONB embedded as JSON. csv: RFC 4180. raw: the single column's bytes.
// avro, protobuf, json_sr: Confluent-framed records of `writer` (required
// for these formats), the schema registered for the sink (sink_schema() in
// registry_format.h); columns fill the fields of the same name.
sql_result<std::unique_ptr<row_encoder>> make_encoder(
    record_format f, std::span<const column_def> columns,
    std::shared_ptr<const registered_schema> writer = nullptr);

}  // namespace spate::sql
