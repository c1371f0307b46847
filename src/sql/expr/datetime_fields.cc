#include "sql/expr/datetime_fields.h"

#include <string>

#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

struct unit_name {
    const char* name;
    dt_unit unit;
};

constexpr unit_name k_units[] = {
    {"microseconds", dt_unit::microseconds},
    {"microsecond", dt_unit::microseconds},
    {"us", dt_unit::microseconds},
    {"usec", dt_unit::microseconds},
    {"usecs", dt_unit::microseconds},
    {"milliseconds", dt_unit::milliseconds},
    {"millisecond", dt_unit::milliseconds},
    {"ms", dt_unit::milliseconds},
    {"msec", dt_unit::milliseconds},
    {"msecs", dt_unit::milliseconds},
    {"second", dt_unit::second},
    {"seconds", dt_unit::second},
    {"sec", dt_unit::second},
    {"secs", dt_unit::second},
    {"s", dt_unit::second},
    {"minute", dt_unit::minute},
    {"minutes", dt_unit::minute},
    {"min", dt_unit::minute},
    {"mins", dt_unit::minute},
    {"m", dt_unit::minute},
    {"hour", dt_unit::hour},
    {"hours", dt_unit::hour},
    {"h", dt_unit::hour},
    {"hr", dt_unit::hour},
    {"hrs", dt_unit::hour},
    {"day", dt_unit::day},
    {"days", dt_unit::day},
    {"d", dt_unit::day},
    {"week", dt_unit::week},
    {"weeks", dt_unit::week},
    {"w", dt_unit::week},
    {"month", dt_unit::month},
    {"months", dt_unit::month},
    {"mon", dt_unit::month},
    {"mons", dt_unit::month},
    {"quarter", dt_unit::quarter},
    {"qtr", dt_unit::quarter},
    {"year", dt_unit::year},
    {"years", dt_unit::year},
    {"y", dt_unit::year},
    {"yr", dt_unit::year},
    {"yrs", dt_unit::year},
    {"decade", dt_unit::decade},
    {"decades", dt_unit::decade},
    {"century", dt_unit::century},
    {"centuries", dt_unit::century},
    {"millennium", dt_unit::millennium},
    {"millennia", dt_unit::millennium},
    {"dow", dt_unit::dow},
    {"isodow", dt_unit::isodow},
    {"doy", dt_unit::doy},
    {"epoch", dt_unit::epoch},
    {"isoyear", dt_unit::isoyear},
    {"julian", dt_unit::julian},
    {"timezone", dt_unit::timezone},
};

decimal whole(int64_t v) {
    return decimal{v, 0};
}

}  // namespace

bool parse_unit(std::string_view name, dt_unit& out) {
    auto equals_ci = [](std::string_view a, std::string_view lower) {
        if (a.size() != lower.size()) return false;
        for (size_t i = 0; i < a.size(); ++i) {
            char c = a[i];
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
            if (c != lower[i]) return false;
        }
        return true;
    };
    for (const auto& u : k_units) {
        if (equals_ci(name, u.name)) {
            out = u.unit;
            return true;
        }
    }
    return false;
}

civil to_civil(int64_t ts) {
    civil c;
    c.day_number = floor_div(ts, k_micros_per_day);
    int64_t tod = ts - c.day_number * k_micros_per_day;
    civil_from_days(c.day_number, c.year, c.month, c.day);
    c.hour = static_cast<int>(tod / (3600 * k_micros_per_second));
    c.minute = static_cast<int>(tod / (60 * k_micros_per_second) % 60);
    c.second = static_cast<int>(tod / k_micros_per_second % 60);
    c.micros = tod % k_micros_per_second;
    c.dow = static_cast<int>(((c.day_number + 4) % 7 + 7) % 7);
    c.doy = static_cast<int>(c.day_number - days_from_civil(c.year, 1, 1) + 1);
    return c;
}

void iso_week(int64_t day_number, int64_t& iso_year, int& week) {
    int64_t isodow = ((day_number + 3) % 7 + 7) % 7 + 1;  // Monday 1
    int64_t thursday = day_number - isodow + 4;
    int64_t y;
    unsigned m, d;
    civil_from_days(thursday, y, m, d);
    iso_year = y;
    week = static_cast<int>((thursday - days_from_civil(y, 1, 1)) / 7 + 1);
}

namespace {

// Fields of the time of day; false for other units.
bool clock_field(dt_unit u, const civil& c, decimal& out) {
    int64_t sec_micros = c.second * k_micros_per_second + c.micros;
    switch (u) {
        case dt_unit::microseconds:
            out = whole(sec_micros);
            return true;
        case dt_unit::milliseconds:
            out = decimal{sec_micros, 3};
            return true;
        case dt_unit::second:
            out = decimal{sec_micros, 6};
            return true;
        case dt_unit::minute:
            out = whole(c.minute);
            return true;
        case dt_unit::hour:
            out = whole(c.hour);
            return true;
        default:
            return false;
    }
}

int64_t year_field(dt_unit u, int64_t y) {
    switch (u) {
        case dt_unit::year:
            return y > 0 ? y : y - 1;
        case dt_unit::decade:
            return floor_div(y, 10);
        case dt_unit::century:
            return y > 0 ? (y + 99) / 100 : -((99 - (y - 1)) / 100);
        default:  // millennium
            return y > 0 ? (y + 999) / 1000 : -((999 - (y - 1)) / 1000);
    }
}

}  // namespace

bool timestamp_field(dt_unit u, int64_t ts, decimal& out) {
    civil c = to_civil(ts);
    if (clock_field(u, c, out)) return true;
    int64_t iso_year;
    int week;
    switch (u) {
        case dt_unit::day:
            out = whole(c.day);
            return true;
        case dt_unit::month:
            out = whole(c.month);
            return true;
        case dt_unit::quarter:
            out = whole((c.month - 1) / 3 + 1);
            return true;
        case dt_unit::year:
        case dt_unit::decade:
        case dt_unit::century:
        case dt_unit::millennium:
            out = whole(year_field(u, c.year));
            return true;
        case dt_unit::dow:
            out = whole(c.dow);
            return true;
        case dt_unit::isodow:
            out = whole(c.dow == 0 ? 7 : c.dow);
            return true;
        case dt_unit::doy:
            out = whole(c.doy);
            return true;
        case dt_unit::week:
        case dt_unit::isoyear:
            iso_week(c.day_number, iso_year, week);
            out = whole(u == dt_unit::week ? week : iso_year);
            return true;
        case dt_unit::epoch:
            out = decimal{ts, 6};
            return true;
        case dt_unit::julian:
            out = whole(c.day_number + 2440588);
            return true;
        case dt_unit::timezone:
            out = whole(0);
            return true;
        default:
            return false;
    }
}

bool time_field(dt_unit u, int64_t t, decimal& out) {
    switch (u) {
        case dt_unit::microseconds:
        case dt_unit::milliseconds:
        case dt_unit::second:
        case dt_unit::minute:
        case dt_unit::hour:
            return timestamp_field(u, t, out);
        case dt_unit::epoch:
            out = decimal{t, 6};
            return true;
        default:
            return false;
    }
}

bool interval_field(dt_unit u, interval_value v, decimal& out) {
    int64_t sec_micros = v.micros % (60 * k_micros_per_second);
    switch (u) {
        case dt_unit::microseconds:
            out = whole(sec_micros);
            return true;
        case dt_unit::milliseconds:
            out = decimal{sec_micros, 3};
            return true;
        case dt_unit::second:
            out = decimal{sec_micros, 6};
            return true;
        case dt_unit::minute:
            out = whole(v.micros / (60 * k_micros_per_second) % 60);
            return true;
        case dt_unit::hour:
            out = whole(v.micros / (3600 * k_micros_per_second));
            return true;
        case dt_unit::day:
            out = whole(v.days);
            return true;
        case dt_unit::month:
            out = whole(v.months % 12);
            return true;
        case dt_unit::quarter:
            out = whole(v.months % 12 / 3 + 1);
            return true;
        case dt_unit::year:
            out = whole(v.months / 12);
            return true;
        case dt_unit::decade:
            out = whole(v.months / 120);
            return true;
        case dt_unit::century:
            out = whole(v.months / 1200);
            return true;
        case dt_unit::millennium:
            out = whole(v.months / 12000);
            return true;
        case dt_unit::epoch: {
            // 365.25 days per year, 30 per remaining month, as PostgreSQL.
            __int128 micros =
                static_cast<__int128>(v.months / 12) * 36525 * 864 * k_micros_per_second +
                static_cast<__int128>(v.months % 12) * 30 * k_micros_per_day +
                static_cast<__int128>(v.days) * k_micros_per_day + v.micros;
            out = decimal{micros, 6};
            return true;
        }
        default:
            return false;
    }
}

}  // namespace spate::sql::detail
