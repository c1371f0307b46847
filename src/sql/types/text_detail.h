#pragma once

// Internals shared by the text I/O files (text_io.cc, numeric_text.cc,
// datetime_text.cc, interval_text.cc, jsonb_text.cc) and the record formats.
// Parsers return errors worded like PostgreSQL's; formatters append to `out`.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "sql/types/error.h"
#include "sql/types/types.h"

namespace spate::sql::text_detail {

std::string_view trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// `invalid input syntax for type <type>: "<text>"` with `code`.
sql_error bad_input(std::string_view type, std::string_view text,
                    sql_errc code = sql_errc::invalid_text_representation);
// `date/time field value out of range: "<text>"` (datetime_field_overflow).
sql_error field_overflow(std::string_view text);

// NUMERIC.
sql_result<decimal> parse_decimal(std::string_view text);
// Rounds (half away from zero) / rescales `d` to the NUMERIC(p,s) of `t`;
// numeric_value_out_of_range when it does not fit. Unconstrained: unchanged.
sql_status fit_numeric(decimal& d, const data_type& t);
void format_decimal(const decimal& d, std::string& out);
// Appends |v| in decimal.
void append_u128(unsigned __int128 v, std::string& out);

// Integers: `out_of_range` when outside [min, max].
sql_result<int64_t> parse_integer(std::string_view text, std::string_view type, int64_t min,
                                  int64_t max);
sql_result<double> parse_float(std::string_view text, bool single);
// BYTEA input (hex "\\x..." or escape format) appended raw to `out`.
sql_status parse_bytea(std::string_view text, std::string& out);
// VARCHAR(n): the value to store, or string_data_right_truncation.
sql_result<std::string_view> fit_varchar(std::string_view s, const data_type& t);

// Floats: shortest round-trip text as PostgreSQL prints them.
void format_float64(double v, std::string& out);
void format_float32(float v, std::string& out);

// Date/time.
sql_result<int32_t> parse_date(std::string_view text);
void format_date(int32_t days, std::string& out);
sql_result<int64_t> parse_time(std::string_view text);
void format_time(int64_t micros, std::string& out);
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t& y, unsigned& m, unsigned& d);
// Appends ":SS[.ffffff]" style seconds: two-digit seconds, fraction trimmed.
void append_seconds(int64_t micros_of_minute, std::string& out);
// Appends "HH:MM:SS[.ffffff]" (as TIME and TIMESTAMP print it).
void append_hms(int64_t micros_of_day, std::string& out);

// Interval.
sql_result<interval_value> parse_interval(std::string_view text);
void format_interval(const interval_value& v, std::string& out);

// JSONB: validates JSON text and appends its normalised form.
sql_status normalise_jsonb(std::string_view text, std::string& out);
bool is_valid_utf8(std::string_view s);
// Appends `s` as a JSON string literal (quotes, escapes; invalid UTF-8
// replaced by U+FFFD).
void append_json_string(std::string_view s, std::string& out);

// The length of the longest prefix of the `n` bytes at `p` holding no '"',
// '\\', control character (< 0x20) or non-ASCII byte: what a JSON string
// holds verbatim. Eight bytes at a time; reads only the `n` bytes.
inline size_t json_plain_length(const char* p, size_t n) {
    constexpr uint64_t ones = 0x0101010101010101ULL;
    constexpr uint64_t highs = 0x8080808080808080ULL;
    // The high bit of the first byte that needs escaping is exact (bits
    // above it may be set spuriously by the borrows).
    auto special = [](uint64_t w) {
        uint64_t quote = w ^ (ones * '"');
        uint64_t slash = w ^ (ones * '\\');
        return (((quote - ones) & ~quote) | ((slash - ones) & ~slash) | (w - ones * 0x20) | w) &
               highs;
    };
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        if (uint64_t m = special(w)) return i + static_cast<size_t>(__builtin_ctzll(m)) / 8;
    }
    if (i == n) return n;
    uint64_t w = ones * 'a';  // plain filler past the end
    std::memcpy(&w, p + i, n - i);
    if (uint64_t m = special(w)) return i + static_cast<size_t>(__builtin_ctzll(m)) / 8;
    return n;
}

}  // namespace spate::sql::text_detail
