#pragma once

// PostgreSQL's binary format of every type (the "send"/"recv" functions):
// what a client gets for result format code 1 and sends for parameter format
// code 1.
//
//   bool 1 byte; int2/4/8 and float4/8 big-endian; text, varchar, unknown,
//   bytea: the bytes; date: int32 days since 2000-01-01; time: int64 micros;
//   timestamp(tz): int64 micros since 2000-01-01; interval: int64 micros,
//   int32 days, int32 months; numeric: int16 ndigits, weight, sign, dscale,
//   then ndigits base-10000 digits; jsonb: version byte 1, then the text.
//
// Decoding failures are sql errors with invalid_text_representation (the
// caller reports them as 22P03) or numeric_value_out_of_range.

#include <string>
#include <string_view>

#include "sql/types/column.h"
#include "sql/types/error.h"
#include "sql/types/value.h"

namespace spate::pgwire {

// Days and microseconds between 1970-01-01 (Spate) and 2000-01-01 (PostgreSQL).
inline constexpr int32_t k_pg_epoch_days = 10957;
inline constexpr int64_t k_pg_epoch_micros = int64_t{k_pg_epoch_days} * 86'400'000'000;

// Appends the binary form of non-null row `row` of `c` to `out`.
void encode_binary(const sql::column& c, size_t row, std::string& out);

// Decodes `bytes` as a value of type `t`.
sql::sql_result<sql::value> decode_binary(std::string_view bytes, const sql::data_type& t);

// numeric's NBASE form (numeric_codec.cc).
void encode_numeric(const sql::decimal& d, std::string& out);
sql::sql_result<sql::decimal> decode_numeric(std::string_view bytes);

}  // namespace spate::pgwire
