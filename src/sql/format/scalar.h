#pragma once

// One decoded field value of a schema'd record format (Avro, Protobuf) on
// its way into a column: the decoders turn their library's value into a
// `scalar`, and `store_scalar` converts it to the column's type, so every
// format converts the same way. Internal to the record formats.

#include <cstdint>
#include <string>
#include <string_view>

#include "sql/types/column.h"
#include "sql/types/error.h"

namespace spate::sql::format_detail {

struct scalar {
    enum class kind {
        null,
        boolean,      // i: 0/1
        integer,      // i
        unsigned64,   // u (uint64 values above INT64_MAX)
        float32,      // d
        float64,      // d
        numeric,      // dec
        text,         // s: UTF-8 text (Avro string and enum, Protobuf string and enum)
        bytes,        // s
        date,         // i: days since 1970-01-01
        time,         // i: microseconds since midnight
        timestamp,    // i: microseconds since 1970-01-01, no zone
        timestamptz,  // i: microseconds since the epoch, UTC
        json,         // s: JSON text (nested records, arrays, maps)
    };
    kind k = kind::null;
    int64_t i = 0;
    uint64_t u = 0;
    double d = 0;
    decimal dec;
    std::string_view s;  // valid until the decoder's next value
};

// Appends `v` to `out` converted to out.type(): the matching type directly;
// integers widen or narrow with range checks; integers, floats and numerics
// convert between each other (floats never into integer columns); integers
// into timestamp columns are epoch milliseconds; text parses as the
// column's type (PostgreSQL input syntax); anything goes into TEXT as its
// PostgreSQL text and into JSONB as JSON (text into JSONB is JSON text and
// parses as such). Errors (the record fails):
// datatype_mismatch, numeric_value_out_of_range and the text parsers'.
// `scratch` is reused across calls (no allocation once warm).
sql_status store_scalar(const scalar& v, column& out, std::string& scratch);

// Appends `v` as a JSON value: numbers as numbers (non-finite floats as
// strings), text as a string, bytes as "\x..." hex, dates and times as
// their PostgreSQL text, json as is.
void append_scalar_json(const scalar& v, std::string& out);

// The PostgreSQL text of `v` (not null).
void append_scalar_text(const scalar& v, std::string& out);

}  // namespace spate::sql::format_detail
