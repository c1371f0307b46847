#pragma once

// Binary encodings of values inside the streaming runtime (the layouts:
// docs/formats/sql_repartition.md):
// - group keys: one row of some columns as bytes that are equal exactly when
//   the SQL values are equal under GROUP BY (NULLs equal each other; numeric
//   1.0 = 1.00; float -0 = 0 and NaN = NaN). Integers and temporal values are
//   big-endian with the sign bit flipped, so a key starting with one of them
//   orders by it (window ends).
// - column batches: rows of several columns, column after column (the
//   repartition records' values).
// Decoders validate lengths and return corrupt-input errors, never read past
// their input. No allocation per row beyond the output columns' growth.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sql/types/column.h"
#include "sql/types/error.h"

namespace spate::sql::stream_codec {

// LEB128 unsigned varint.
void put_varint(std::string& out, uint64_t v);
// Reads a varint from the front of `in` (advancing it); false when malformed.
bool get_varint(std::string_view& in, uint64_t& v);

// Big-endian, sign bit flipped: bytewise order = numeric order.
void put_ordered_i64(std::string& out, int64_t v);
int64_t get_ordered_i64(std::string_view bytes);  // bytes.size() >= 8

// Appends row `row` of `cols` (in order) as group-key bytes.
void append_key(std::span<const column* const> cols, size_t row, std::string& out);
// Decodes one key row from the front of `in` (advancing it), appending one
// value to each of `out` (typed columns, in the encoded order).
sql_status decode_key(std::string_view& in, std::span<column> out);

// Appends the rows `rows` (indexes, in that order) of `cols` as a column
// batch.
void encode_batch(std::span<const column* const> cols, std::span<const uint32_t> rows,
                  std::string& out);
// Decodes a batch of `n` rows from the front of `in` (advancing it),
// appending to `out` (typed columns, the encoded ones in order).
sql_status decode_batch(std::string_view& in, size_t n, std::span<column> out);

// A 64-bit hash of `bytes`, identical on every server and build (the
// repartition partitioner and the aggregate's hash map use it).
uint64_t hash_bytes(std::string_view bytes);

}  // namespace spate::sql::stream_codec
