#pragma once

// The JSON decoder's fast path: a flat object (string, number, boolean and
// null values) decoded straight from the record's bytes into the declared
// columns, with no copy, no padding and no per-field allocation.
//
// Contract: decode() appends a row only when it decodes the record exactly
// as the general (simdjson) path would; it declines everything else, leaving
// the declared columns as it found them: nested values, keys with escapes or
// non-ASCII bytes, repeated keys, \u escapes, text that is not strict JSON,
// and values the column's type refuses. The caller then decodes the record
// with the general path, which also words any error. Not thread-safe.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sql/format/format.h"

namespace spate::sql::format_detail {

class json_flat_decoder {
  public:
    explicit json_flat_decoder(std::span<const column_def> declared);

    // Appends `text` as one row to the first declared.size() columns of
    // `out` (which hold `rows` rows); false: declined, nothing appended.
    bool decode(std::string_view text, chunk& out, size_t rows);

  private:
    struct cursor {
        const char* p;
        const char* end;
    };
    // next_key's answer for a key the fast path does not read.
    static constexpr size_t k_declined = SIZE_MAX;

    bool fields(cursor& c, chunk& out);
    size_t next_key(cursor& c);
    size_t find_column(std::string_view key);
    bool fast_integer(cursor& c, column& col);
    bool read_string(cursor& c, std::string_view& s);
    bool read_value(cursor& c, column& col);
    bool skip_value(cursor& c);
    bool string_value(std::string_view s, column& col);
    bool number_value(std::string_view token, column& col);
    bool timestamp_value(std::string_view s, column& col);

    std::vector<column_def> _declared;
    std::vector<uint8_t> _plain_name;  // per column: its name needs no JSON escaping
    std::vector<uint8_t> _seen;
    size_t _next = 0;        // the column the next key most likely names
    std::string _unescaped;  // a string value with escapes, unescaped
    // The last "YYYY-MM-DD" a timestamp began with, and its day number.
    char _day_text[10] = {};
    int64_t _day = INT64_MIN;
};

}  // namespace spate::sql::format_detail
