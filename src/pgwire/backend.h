#pragma once

// Writers of the backend messages more than one protocol flow sends. Each
// appends one complete message through `w`.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pgwire/message.h"
#include "pgwire/sqlstate.h"
#include "sql/engine/session.h"

namespace spate::pgwire {

// Format code of result column i: `formats` empty means all text, one code
// applies to every column, otherwise one per column (the caller checked).
inline int16_t format_of(std::span<const int16_t> formats, size_t i) {
    if (formats.empty()) return 0;
    return formats.size() == 1 ? formats[0] : formats[i];
}

// 'E' ErrorResponse, or 'N' NoticeResponse when `notice`.
void write_error(message_writer& w, const pg_error& e, bool notice = false);
void write_ready_for_query(message_writer& w, sql::transaction_state t);
void write_parameter_status(message_writer& w, std::string_view name, std::string_view value);
void write_command_complete(message_writer& w, std::string_view tag);
void write_row_description(message_writer& w, const std::vector<sql::column_def>& columns,
                           std::span<const int16_t> formats);
void write_parameter_description(message_writer& w, const std::vector<sql::data_type>& types);
// 'D' DataRow of row `row` of `c`, each column in its format code.
void write_data_row(message_writer& w, const sql::chunk& c, size_t row,
                    std::span<const int16_t> formats);
// A message with no body: ParseComplete '1', BindComplete '2', CloseComplete
// '3', NoData 'n', PortalSuspended 's', EmptyQueryResponse 'I', CopyDone 'c'.
void write_empty(message_writer& w, char type);

}  // namespace spate::pgwire
