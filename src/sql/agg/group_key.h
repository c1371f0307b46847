#pragma once

// GROUP BY keys as bytes, for hashing rows into groups (the batch hash
// aggregate; usable as a keyed-state key by streaming operators).
//
// Rows whose key values are equal under GROUP BY get equal bytes and others
// different bytes: NULLs equal each other; NUMERIC compares by value (1.5 =
// 1.50); -0 = 0 and NaN = NaN for floats; intervals as PostgreSQL (30-day
// months, so '1 mon' = '30 days'). The bytes are not decodable (a group's
// values are kept from its first row) and not ordered.
// Per column: 0x00 for NULL, else 0x01 then the value: fixed-width types
// as their little-endian bytes (floats normalised, NUMERIC as its unscaled
// int128 and scale without trailing zeros, intervals as their int128
// microsecond span), strings as a LEB128 length then the bytes.

#include <span>
#include <string>
#include <vector>

#include "sql/types/column.h"

namespace spate::sql {

// out[r] (resized to `rows`, each cleared first) receives row r's key over
// `keys` (each `rows` rows).
void encode_group_keys(std::span<const column> keys, size_t rows, std::vector<std::string>& out);

}  // namespace spate::sql
