#pragma once

// SQL data types and the physical representation of each in a column.
//
//   type_id        physical element        meaning
//   boolean        uint8_t (0/1)
//   int16/32/64    int16_t/int32_t/int64_t
//   float32/64     float/double
//   numeric        decimal                 unscaled int128 + scale (per value)
//   text, bytea,   string_data             bytes; jsonb holds normalised JSON text
//   jsonb
//   date           int32_t                 days since 1970-01-01
//   time           int64_t                 microseconds since midnight
//   timestamp      int64_t                 microseconds since 1970-01-01 00:00:00
//   timestamptz    int64_t                 microseconds since the Unix epoch, UTC
//   interval       interval_value          months, days, microseconds (as PostgreSQL)
//   unknown        string_data             an untyped literal ('...') before binding
//
// `data_type` adds the modifiers: NUMERIC(precision, scale) and
// VARCHAR(length); -1 means unconstrained.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace spate::sql {

enum class type_id : uint8_t {
    unknown,
    boolean,
    int16,
    int32,
    int64,
    float32,
    float64,
    numeric,
    text,
    bytea,
    date,
    time,
    timestamp,
    timestamptz,
    interval,
    jsonb,
};

struct data_type {
    type_id id = type_id::unknown;
    int16_t precision = -1;  // numeric precision, or varchar length; -1: unconstrained
    int16_t scale = -1;      // numeric scale; -1: unconstrained
    bool varchar = false;    // declared VARCHAR rather than TEXT (same values)

    static data_type of(type_id id) { return data_type{id}; }
    static data_type numeric(int16_t precision, int16_t scale) {
        return data_type{type_id::numeric, precision, scale};
    }
    friend bool operator==(const data_type&, const data_type&) = default;
};

// PostgreSQL's name of the type as format_type() prints it: "bigint",
// "numeric(10,2)", "character varying", "timestamp without time zone", ...
std::string type_name(const data_type& t);
// A short name for messages and EXPLAIN: "BIGINT", "NUMERIC(10,2)", "TIMESTAMP".
std::string type_display(const data_type& t);

bool is_integer(type_id t);
bool is_numeric_family(type_id t);  // integers, floats, numeric
bool is_string_like(type_id t);     // text, unknown (bytea and jsonb are not)
bool is_variable_width(type_id t);  // stored in string_data

// NUMERIC value: unscaled * 10^-scale. PostgreSQL's limit of 1000 digits is
// narrowed to what an int128 holds (38 digits); wider results are
// numeric_value_out_of_range.
struct decimal {
    __int128 unscaled = 0;
    int32_t scale = 0;
};
inline constexpr int k_max_numeric_digits = 38;

struct interval_value {
    int32_t months = 0;
    int32_t days = 0;
    int64_t micros = 0;
    friend bool operator==(const interval_value&, const interval_value&) = default;
};

inline constexpr int64_t k_micros_per_second = 1'000'000;
inline constexpr int64_t k_micros_per_day = 86'400 * k_micros_per_second;

}  // namespace spate::sql
