#pragma once

// Internal to src/sql/expr: calendar fields of timestamps and the units of
// date_trunc/extract.

#include <cstdint>
#include <string_view>

#include "sql/types/types.h"

namespace spate::sql::detail {

enum class dt_unit {
    microseconds,
    milliseconds,
    second,
    minute,
    hour,
    day,
    week,
    month,
    quarter,
    year,
    decade,
    century,
    millennium,
    dow,
    isodow,
    doy,
    epoch,
    isoyear,
    julian,
    timezone,
};

// Unit names as PostgreSQL accepts them (case-insensitive, plurals and
// common abbreviations); false when unknown.
bool parse_unit(std::string_view name, dt_unit& out);

struct civil {
    int64_t day_number = 0;  // days since 1970-01-01
    int64_t year = 1970;
    unsigned month = 1, day = 1;
    int hour = 0, minute = 0, second = 0;
    int64_t micros = 0;  // within the second
    int dow = 4;         // 0 = Sunday
    int doy = 1;
};
civil to_civil(int64_t ts_micros);
// ISO 8601 week number and week-numbering year of a day.
void iso_week(int64_t day_number, int64_t& iso_year, int& week);

// Field values as extract() returns them (numeric); false when the unit does
// not apply.
bool timestamp_field(dt_unit u, int64_t ts, decimal& out);
bool time_field(dt_unit u, int64_t t, decimal& out);
bool interval_field(dt_unit u, interval_value v, decimal& out);

}  // namespace spate::sql::detail
