#pragma once

// PostgreSQL's text input and output format of every type (what pgwire sends
// in text format, what casts to and from text do, what JSON/CSV formats
// read). Output matches PostgreSQL 15 with DateStyle ISO, IntervalStyle
// postgres, TimeZone UTC, extra_float_digits 1, bytea_output hex:
//   boolean t/f; numeric keeps its scale ("1.50"); timestamp
//   "2024-01-02 03:04:05.123"; timestamptz "2024-01-02 03:04:05.123+00";
//   interval "1 year 2 mons 3 days 04:05:06"; bytea "\x0a0b".
// Input accepts what PostgreSQL accepts for these types (booleans in all
// spellings, leading/trailing spaces, exponents, "1970-01-01T00:00:00Z",
// interval words and ISO 8601 "P1DT2H", ...).

#include <string>
#include <string_view>

#include "sql/types/column.h"
#include "sql/types/error.h"
#include "sql/types/value.h"

namespace spate::sql {

// Appends the text form of non-null row `row` of `c` to `out`.
void format_text(const column& c, size_t row, std::string& out);
std::string format_text(const value& v);  // "NULL"-free: v must not be null

// Parses `text` as type `t` and appends it to `out` (a column of type t).
// Errors: invalid_text_representation, invalid_datetime_format,
// datetime_field_overflow, numeric_value_out_of_range.
sql_status parse_text(std::string_view text, const data_type& t, column& out);
sql_result<value> parse_value(std::string_view text, const data_type& t);

// Timestamp helpers shared by formats: "YYYY-MM-DD HH:MM:SS[.ffffff]" (also
// with 'T', a zone suffix for timestamptz) <-> micros since the epoch.
sql_result<int64_t> parse_timestamp(std::string_view text, bool with_zone);
void format_timestamp(int64_t micros, bool with_zone, std::string& out);

}  // namespace spate::sql
