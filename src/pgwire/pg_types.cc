#include "pgwire/pg_types.h"

namespace spate::pgwire {

using sql::data_type;
using sql::type_id;

int32_t type_oid(const data_type& t) {
    switch (t.id) {
        case type_id::unknown:
            return oid::k_unknown;
        case type_id::boolean:
            return oid::k_bool;
        case type_id::int16:
            return oid::k_int2;
        case type_id::int32:
            return oid::k_int4;
        case type_id::int64:
            return oid::k_int8;
        case type_id::float32:
            return oid::k_float4;
        case type_id::float64:
            return oid::k_float8;
        case type_id::numeric:
            return oid::k_numeric;
        case type_id::text:
            return t.varchar ? oid::k_varchar : oid::k_text;
        case type_id::bytea:
            return oid::k_bytea;
        case type_id::date:
            return oid::k_date;
        case type_id::time:
            return oid::k_time;
        case type_id::timestamp:
            return oid::k_timestamp;
        case type_id::timestamptz:
            return oid::k_timestamptz;
        case type_id::interval:
            return oid::k_interval;
        case type_id::jsonb:
            return oid::k_jsonb;
    }
    return oid::k_unknown;
}

int32_t type_modifier(const data_type& t) {
    if (t.id == type_id::numeric && t.precision >= 0)
        return ((static_cast<int32_t>(t.precision) << 16) | (t.scale >= 0 ? t.scale : 0)) + 4;
    if (t.id == type_id::text && t.varchar && t.precision >= 0) return t.precision + 4;
    return -1;
}

int16_t type_length(const data_type& t) {
    switch (t.id) {
        case type_id::boolean:
            return 1;
        case type_id::int16:
            return 2;
        case type_id::int32:
        case type_id::float32:
        case type_id::date:
            return 4;
        case type_id::int64:
        case type_id::float64:
        case type_id::time:
        case type_id::timestamp:
        case type_id::timestamptz:
            return 8;
        case type_id::interval:
            return 16;
        case type_id::unknown:
            return -2;
        case type_id::numeric:
        case type_id::text:
        case type_id::bytea:
        case type_id::jsonb:
            return -1;
    }
    return -1;
}

data_type type_of_oid(int32_t o) {
    switch (o) {
        case oid::k_bool:
            return data_type::of(type_id::boolean);
        case oid::k_bytea:
            return data_type::of(type_id::bytea);
        case oid::k_int8:
            return data_type::of(type_id::int64);
        case oid::k_int2:
            return data_type::of(type_id::int16);
        case oid::k_int4:
            return data_type::of(type_id::int32);
        case oid::k_text:
        case oid::k_bpchar:
            return data_type::of(type_id::text);
        case oid::k_varchar: {
            data_type t = data_type::of(type_id::text);
            t.varchar = true;
            return t;
        }
        case oid::k_float4:
            return data_type::of(type_id::float32);
        case oid::k_float8:
            return data_type::of(type_id::float64);
        case oid::k_date:
            return data_type::of(type_id::date);
        case oid::k_time:
            return data_type::of(type_id::time);
        case oid::k_timestamp:
            return data_type::of(type_id::timestamp);
        case oid::k_timestamptz:
            return data_type::of(type_id::timestamptz);
        case oid::k_interval:
            return data_type::of(type_id::interval);
        case oid::k_numeric:
            return data_type::of(type_id::numeric);
        case oid::k_json:
        case oid::k_jsonb:
            return data_type::of(type_id::jsonb);
        default:
            return data_type::of(type_id::unknown);
    }
}

}  // namespace spate::pgwire
