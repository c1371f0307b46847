#pragma once

// Order-preserving ("memcomparable") encoding of typed key values, the keys
// of a view replica's ordered map (view_replica.h).
//
// For two values a and b of one type, memcmp of their encodings orders as
// SQL's comparison operators do (compare.cc: bytewise strings, NaN above
// every float and equal to itself, intervals by span, NUMERIC by value
// whatever its scale), NULL after every value (as ORDER BY ... ASC), and
// values that compare equal encode identically. Every encoding is
// self-delimiting, so a composite key is the concatenation of its columns'
// encodings and orders column by column; the keys whose leading columns
// equal given values are the range [prefix, prefix_successor(prefix)).
//
// Layout per value: a tag byte (0x01 value, 0x02 NULL) then, for values:
// booleans one byte; integers, dates, times and timestamps big-endian with
// the sign bit flipped; floats their IEEE bits made monotonic (-0 as 0, one
// NaN); NUMERIC a sign byte, a biased decimal exponent and the significant
// digits (1..10 per digit, 0-terminated; all inverted when negative);
// intervals their span in microseconds as a 16-byte integer; strings
// (text, bytea, jsonb) their bytes with 0x00 escaped as 0x00 0xFF, ended by
// 0x00 0x01.

#include <string>
#include <string_view>

#include "sql/types/column.h"
#include "sql/types/value.h"

namespace spate::sql {

// Appends the encoding of row `row` of `c`.
void encode_key_column(const column& c, size_t row, std::string& out);
// Appends the encoding of `v` (a value of the key column's type).
void encode_key_value(const value& v, std::string& out);

// The smallest string greater than every string that starts with `prefix`;
// empty when there is none (`prefix` is all 0xFF bytes or empty).
std::string prefix_successor(std::string_view prefix);

}  // namespace spate::sql
