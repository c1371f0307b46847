// to_timestamp(text, format) -> timestamptz and to_date(text, format) ->
// date: the inverse of to_char for the patterns YYYY YY MM DD DDD HH24 HH12
// HH MI SS MS US AM PM Mon Month (names case-insensitive), with FM accepted
// and ignored. Other format characters match any one non-alphanumeric input
// character; spaces before fields are skipped (PostgreSQL's non-FX mode).
// Time zone is UTC.

#include <cstdint>
#include <string>
#include <string_view>

#include "sql/expr/datetime_fields.h"
#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

using sv = std::string_view;

constexpr const char* k_month_names[] = {"january",   "february", "march",    "april",
                                         "may",       "june",     "july",     "august",
                                         "september", "october",  "november", "december"};

struct parsed_time {
    int64_t year = 1, month = 1, day = 1, doy = 0, hour = 0, minute = 0, second = 0, micros = 0;
    int pm = -1;  // -1: no AM/PM, 0 AM, 1 PM
};

bool alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool starts_ci(sv s, sv p) {
    if (s.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
        char a = s[i];
        if (a >= 'a' && a <= 'z') a = static_cast<char>(a - 32);
        char b = p[i];
        if (b >= 'a' && b <= 'z') b = static_cast<char>(b - 32);
        if (a != b) return false;
    }
    return true;
}

sql_error bad_value(sv input, sv field) {
    return make_error(sql_errc::invalid_datetime_format,
                      "invalid value \"" + std::string(input.substr(0, 8)) + "\" for \"" +
                          std::string(field) + "\"");
}

// Reads up to `width` digits (at least one); for ms/us scales to the field.
bool read_number(sv& in, int width, int64_t& out) {
    while (!in.empty() && in[0] == ' ')
        in.remove_prefix(1);
    int n = 0;
    out = 0;
    while (n < width && !in.empty() && in[0] >= '0' && in[0] <= '9') {
        out = out * 10 + (in[0] - '0');
        in.remove_prefix(1);
        ++n;
    }
    return n > 0;
}

struct field_spec {
    const char* pattern;
    int width;
    int64_t parsed_time::*target;
};

constexpr field_spec k_fields[] = {
    {"YYYY", 4, &parsed_time::year}, {"HH24", 2, &parsed_time::hour},
    {"HH12", 2, &parsed_time::hour}, {"DDD", 3, &parsed_time::doy},
    {"HH", 2, &parsed_time::hour},   {"MI", 2, &parsed_time::minute},
    {"SS", 2, &parsed_time::second}, {"MS", 3, &parsed_time::micros},
    {"US", 6, &parsed_time::micros}, {"MM", 2, &parsed_time::month},
    {"DD", 2, &parsed_time::day},    {"YY", 2, &parsed_time::year},
};

// Consumes one pattern at the start of `f` from `in`; returns its length
// (0: not a pattern).
sql_result<size_t> parse_pattern(sv f, sv& in, parsed_time& t) {
    if (starts_ci(f, "AM") || starts_ci(f, "PM")) {
        while (!in.empty() && in[0] == ' ')
            in.remove_prefix(1);
        if (starts_ci(in, "AM") || starts_ci(in, "PM")) {
            t.pm = starts_ci(in, "PM") ? 1 : 0;
            in.remove_prefix(2);
            return size_t(2);
        }
        return bad_value(in, f.substr(0, 2));
    }
    if (starts_ci(f, "MONTH") || starts_ci(f, "MON")) {
        const bool full = starts_ci(f, "MONTH");
        while (!in.empty() && in[0] == ' ')
            in.remove_prefix(1);
        for (int m = 0; m < 12; ++m) {
            sv name = k_month_names[m];
            if (!full) name = name.substr(0, 3);
            if (starts_ci(in, name)) {
                t.month = m + 1;
                in.remove_prefix(name.size());
                return size_t(full ? 5 : 3);
            }
        }
        return bad_value(in, f.substr(0, full ? 5 : 3));
    }
    for (const auto& spec : k_fields) {
        sv p = spec.pattern;
        if (!starts_ci(f, p)) continue;
        int64_t v;
        sv before = in;
        if (!read_number(in, spec.width, v)) return bad_value(in, p);
        size_t digits = before.size() - in.size();
        if (p == "MS") v *= 1000;
        if (p == "US") {
            for (size_t d = digits; d < 6; ++d)
                v *= 10;
        }
        if (p == "YY") v += v < 70 ? 2000 : 1900;
        t.*spec.target = v;
        return p.size();
    }
    return size_t(0);
}

sql_status parse_with_format(sv in, sv f, parsed_time& t) {
    while (!f.empty()) {
        if (starts_ci(f, "FM")) {
            f.remove_prefix(2);
            continue;
        }
        auto n = parse_pattern(f, in, t);
        if (!n) return n.error();
        if (n.value() > 0) {
            f.remove_prefix(n.value());
            continue;
        }
        if (f[0] == ' ') {
            while (!in.empty() && in[0] == ' ')
                in.remove_prefix(1);
        } else if (!in.empty() && !alnum(in[0])) {
            in.remove_prefix(1);
        }
        f.remove_prefix(1);
    }
    return {};
}

sql_status to_micros(const parsed_time& t, int64_t& out) {
    int64_t hour = t.hour;
    if (t.pm >= 0) {
        if (hour < 1 || hour > 12) {
            return make_error(
                sql_errc::invalid_datetime_format,
                "hour \"" + std::to_string(hour) + "\" is invalid for the 12-hour clock");
        }
        hour = hour % 12 + (t.pm ? 12 : 0);
    }
    int64_t day;
    if (t.doy > 0) {
        day = days_from_civil(t.year, 1, 1) + t.doy - 1;
    } else {
        if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31) {
            return make_error(sql_errc::datetime_field_overflow,
                              "date/time field value out of range");
        }
        day = days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
        if (to_civil(day * k_micros_per_day).day != static_cast<unsigned>(t.day)) {
            return make_error(sql_errc::datetime_field_overflow,
                              "date/time field value out of range");
        }
    }
    if (hour > 24 || t.minute > 59 || t.second > 60 || t.year < -4713 || t.year > 294276) {
        return make_error(sql_errc::datetime_field_overflow, "date/time field value out of range");
    }
    out = day * k_micros_per_day + ((hour * 60 + t.minute) * 60 + t.second) * k_micros_per_second +
          t.micros;
    return {};
}

}  // namespace

void register_to_timestamp(registry& r) {
    const type_id t = type_id::text;
    r.add("to_timestamp", {t, t}, type_id::timestamptz,
          fallible<int64_t, sv, sv>([](int64_t& out, sql_error& e, sv in, sv f) {
              parsed_time pt;
              sql_status s = parse_with_format(in, f, pt);
              if (s) s = to_micros(pt, out);
              if (s) return true;
              e = s.error();
              return false;
          }));
    r.add("to_date", {t, t}, type_id::date,
          fallible<int32_t, sv, sv>([](int32_t& out, sql_error& e, sv in, sv f) {
              parsed_time pt;
              int64_t micros = 0;
              sql_status s = parse_with_format(in, f, pt);
              if (s) s = to_micros(pt, micros);
              if (!s) {
                  e = s.error();
                  return false;
              }
              out = static_cast<int32_t>(floor_div(micros, k_micros_per_day));
              return true;
          }));
}

}  // namespace spate::sql::detail
