#pragma once

// COPY ... TO STDOUT row formats (one CopyData payload per row, newline
// terminated):
//   text: values in their text form joined by the delimiter; NULL is \N;
//         backslash, newline, carriage return, tab and the delimiter are
//         backslash-escaped (\\ \n \r \t \<delimiter>).
//   csv:  NULL is an empty unquoted field; a value is double-quoted (quotes
//         doubled) when it is empty or holds the delimiter, a quote, CR or LF,
//         or is exactly \. ; the optional header line holds the column names.

#include <string>
#include <vector>

#include "sql/engine/session.h"
#include "sql/types/column.h"

namespace spate::pgwire {

void append_copy_row(const sql::chunk& c, size_t row, const sql::copy_out_options& o,
                     std::string& out);
void append_copy_header(const std::vector<sql::column_def>& columns, const sql::copy_out_options& o,
                        std::string& out);

}  // namespace spate::pgwire
