#pragma once

// Internals of the record formats: per-format factories and the helpers
// every decoder shares. Not thread-safe, like the codecs themselves.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sql/format/format.h"

namespace spate::sql::format_detail {

// Appends the hidden metadata columns of `r` to `out`, whose hidden columns
// start at `first`. `order` is scratch reused across calls.
void append_hidden(const record_view& r, chunk& out, size_t first, std::vector<uint32_t>& order);
// Drops every column of `out` back to `rows` rows (undoes a failed record).
void rollback(chunk& out, size_t rows);

std::unique_ptr<record_decoder> make_json_decoder(std::span<const column_def> declared);
std::unique_ptr<record_decoder> make_csv_decoder(std::span<const column_def> declared,
                                                 const decoder_options& o);
std::unique_ptr<record_decoder> make_raw_decoder(const column_def& column);

std::unique_ptr<row_encoder> make_json_encoder(std::span<const column_def> columns);
std::unique_ptr<row_encoder> make_csv_encoder(std::span<const column_def> columns);
std::unique_ptr<row_encoder> make_raw_encoder();

}  // namespace spate::sql::format_detail
