#pragma once

// Pure parts of `spate sql`: results as psql's aligned tables, and server
// errors as psql prints them. No I/O, no libpq.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spate::cli {

struct sql_column {
    std::string name;
    bool align_right = false;  // numbers are right-aligned, everything else left
};

using sql_cell = std::optional<std::string>;  // nullopt is SQL NULL (printed empty)

// The table in psql's aligned format: a header with centred names, a rule of
// dashes and `+`, one line per row with cells padded to the column width and
// separated by " | ", then the row count ("(1 row)", "(N rows)") and an empty
// line. Widths count UTF-8 code points; a cell containing newlines spans
// several lines. No line has trailing spaces. Rows shorter than the header
// get empty cells.
std::string format_sql_table(const std::vector<sql_column>& columns,
                             const std::vector<std::vector<sql_cell>>& rows);

// "(1 row)", "(0 rows)", "(12 rows)".
std::string format_row_count(std::size_t rows);

// Whether values of the PostgreSQL type with this OID are right-aligned
// (the integer, floating point, numeric and oid types).
bool is_numeric_type_oid(unsigned oid);

struct sql_error_report {
    std::string severity = "ERROR";  // ERROR, FATAL, PANIC
    std::string sqlstate;            // five characters, may be empty
    std::string message;
    std::string detail;                   // optional
    std::string hint;                     // optional
    std::optional<std::size_t> position;  // 1-based code point index into the statement
};

// "ERROR:  message (SQLSTATE xxxxx)", then when a position is known the
// statement line it falls on ("LINE n: ...") with a caret under it, then
// "DETAIL:  ..." and "HINT:  ..." when present; each line ends in a newline.
std::string format_sql_error(const sql_error_report& e, std::string_view statement);

}  // namespace spate::cli
