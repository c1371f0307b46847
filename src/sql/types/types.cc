#include "sql/types/types.h"

#include <string>

namespace spate::sql {

namespace {

std::string with_modifiers(std::string base, const data_type& t) {
    if (t.id == type_id::numeric && t.precision >= 0) {
        base += "(" + std::to_string(t.precision);
        if (t.scale >= 0) base += "," + std::to_string(t.scale);
        base += ")";
    } else if (t.varchar && t.precision >= 0) {
        base += "(" + std::to_string(t.precision) + ")";
    }
    return base;
}

}  // namespace

std::string type_name(const data_type& t) {
    switch (t.id) {
        case type_id::unknown:
            return "unknown";
        case type_id::boolean:
            return "boolean";
        case type_id::int16:
            return "smallint";
        case type_id::int32:
            return "integer";
        case type_id::int64:
            return "bigint";
        case type_id::float32:
            return "real";
        case type_id::float64:
            return "double precision";
        case type_id::numeric:
            return with_modifiers("numeric", t);
        case type_id::text:
            return t.varchar ? with_modifiers("character varying", t) : "text";
        case type_id::bytea:
            return "bytea";
        case type_id::date:
            return "date";
        case type_id::time:
            return "time without time zone";
        case type_id::timestamp:
            return "timestamp without time zone";
        case type_id::timestamptz:
            return "timestamp with time zone";
        case type_id::interval:
            return "interval";
        case type_id::jsonb:
            return "jsonb";
    }
    return "unknown";
}

std::string type_display(const data_type& t) {
    switch (t.id) {
        case type_id::unknown:
            return "UNKNOWN";
        case type_id::boolean:
            return "BOOLEAN";
        case type_id::int16:
            return "SMALLINT";
        case type_id::int32:
            return "INT";
        case type_id::int64:
            return "BIGINT";
        case type_id::float32:
            return "REAL";
        case type_id::float64:
            return "DOUBLE PRECISION";
        case type_id::numeric:
            return with_modifiers("NUMERIC", t);
        case type_id::text:
            return t.varchar ? with_modifiers("VARCHAR", t) : "TEXT";
        case type_id::bytea:
            return "BYTEA";
        case type_id::date:
            return "DATE";
        case type_id::time:
            return "TIME";
        case type_id::timestamp:
            return "TIMESTAMP";
        case type_id::timestamptz:
            return "TIMESTAMPTZ";
        case type_id::interval:
            return "INTERVAL";
        case type_id::jsonb:
            return "JSONB";
    }
    return "UNKNOWN";
}

bool is_integer(type_id t) {
    return t == type_id::int16 || t == type_id::int32 || t == type_id::int64;
}

bool is_numeric_family(type_id t) {
    return is_integer(t) || t == type_id::float32 || t == type_id::float64 || t == type_id::numeric;
}

bool is_string_like(type_id t) {
    return t == type_id::text || t == type_id::unknown;
}

bool is_variable_width(type_id t) {
    return t == type_id::text || t == type_id::bytea || t == type_id::jsonb ||
           t == type_id::unknown;
}

}  // namespace spate::sql
