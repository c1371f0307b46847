#pragma once

// Internals of the record formats: per-format factories and the helpers
// every decoder shares. Not thread-safe, like the codecs themselves.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sql/format/format.h"

namespace spate::sql::format_detail {

// Appends the hidden metadata columns of `r` in `read` (a hidden-column
// mask) to `out`, whose hidden columns start at `first`. `order` is scratch
// reused across calls.
void append_hidden(const record_view& r, chunk& out, size_t first, std::vector<uint32_t>& order,
                   uint32_t read = k_all_hidden_columns);
// Pads the hidden columns not in `read` with NULLs up to `rows` rows.
void pad_hidden(chunk& out, size_t first, uint32_t read, size_t rows);
// Drops every column of `out` back to `rows` rows (undoes a failed record).
void rollback(chunk& out, size_t rows);

// The per-record loop of a decoder: `decode_one(record, out)` appends the
// declared columns (a sql_status); then the hidden columns in `read` (from
// `first`) follow, or on failure the chunk is rolled back and the record
// reported. The hidden columns not in `read` are padded with NULLs at the end.
template <typename Decode>
void decode_each(std::span<const record_view> records, chunk& out,
                 std::vector<decode_failure>& failures, size_t first, std::vector<uint32_t>& order,
                 Decode&& decode_one, uint32_t read = k_all_hidden_columns) {
    size_t rows = out.rows();
    for (size_t i = 0; i < records.size(); ++i) {
        auto st = decode_one(records[i], out);
        if (st.ok()) {
            append_hidden(records[i], out, first, order, read);
            out.set_rows(++rows);
        } else {
            rollback(out, rows);
            failures.push_back({i, st.error().message});
        }
    }
    pad_hidden(out, first, read, rows);
    out.sync_rows();
}

// `flat_path` false: every record through simdjson (tests compare the paths).
// `hidden_read`: decoder_options::hidden_read.
std::unique_ptr<record_decoder> make_json_decoder(std::span<const column_def> declared,
                                                  bool flat_path = true,
                                                  uint32_t hidden_read = k_all_hidden_columns);
std::unique_ptr<record_decoder> make_csv_decoder(std::span<const column_def> declared,
                                                 const decoder_options& o);
std::unique_ptr<record_decoder> make_raw_decoder(const column_def& column);

std::unique_ptr<row_encoder> make_json_encoder(std::span<const column_def> columns);
std::unique_ptr<row_encoder> make_csv_encoder(std::span<const column_def> columns);
std::unique_ptr<row_encoder> make_raw_encoder();

// Whether a schema's field name binds a column: the same name, or the same
// ignoring ASCII case in the field (columns are lower-case identifiers).
inline bool field_matches_column(std::string_view field, std::string_view column) {
    if (field.size() != column.size()) return false;
    for (size_t i = 0; i < field.size(); ++i) {
        char c = field[i] >= 'A' && field[i] <= 'Z' ? static_cast<char>(field[i] + 32) : field[i];
        if (c != column[i]) return false;
    }
    return true;
}

}  // namespace spate::sql::format_detail
