#pragma once

// PostgreSQL's view of Spate's SQL types: type OIDs, type modifiers and type
// lengths as RowDescription and ParameterDescription report them, and the
// reverse mapping of the OIDs clients name in Parse.

#include <cstdint>

#include "sql/types/types.h"

namespace spate::pgwire {

namespace oid {
inline constexpr int32_t k_bool = 16;
inline constexpr int32_t k_bytea = 17;
inline constexpr int32_t k_int8 = 20;
inline constexpr int32_t k_int2 = 21;
inline constexpr int32_t k_int4 = 23;
inline constexpr int32_t k_text = 25;
inline constexpr int32_t k_json = 114;
inline constexpr int32_t k_float4 = 700;
inline constexpr int32_t k_float8 = 701;
inline constexpr int32_t k_unknown = 705;
inline constexpr int32_t k_bpchar = 1042;
inline constexpr int32_t k_varchar = 1043;
inline constexpr int32_t k_date = 1082;
inline constexpr int32_t k_time = 1083;
inline constexpr int32_t k_timestamp = 1114;
inline constexpr int32_t k_timestamptz = 1184;
inline constexpr int32_t k_interval = 1186;
inline constexpr int32_t k_numeric = 1700;
inline constexpr int32_t k_jsonb = 3802;
}  // namespace oid

int32_t type_oid(const sql::data_type& t);
// numeric: ((precision << 16) | scale) + 4; varchar(n): n + 4; else -1.
int32_t type_modifier(const sql::data_type& t);
// pg_type.typlen: the fixed width in bytes, -1 variable, -2 C string.
int16_t type_length(const sql::data_type& t);
// The type a client's parameter OID asks for; 0 and unsupported OIDs give
// unknown (the engine infers it).
sql::data_type type_of_oid(int32_t oid);

}  // namespace spate::pgwire
