// to_char(timestamp|timestamptz|date, format) with PostgreSQL's template
// patterns: HH HH12 HH24 MI SS MS US AM PM A.M. P.M. (either case) YYYY YYY YY
// Y IYYY MONTH Month month MON Mon mon MM DAY Day day DY Dy dy DDD DD D ID IW
// WW Q TZ tz OF, the FM prefix, "quoted text" and backslash escapes. Anything
// else is copied.

#include <string>
#include <string_view>

#include "sql/expr/datetime_fields.h"
#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

using sv = std::string_view;

constexpr const char* k_months[] = {"January",   "February", "March",    "April",
                                    "May",       "June",     "July",     "August",
                                    "September", "October",  "November", "December"};
constexpr const char* k_days[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                  "Thursday", "Friday", "Saturday"};

// printf's "%0*lld" (width counts the sign) without printf: one call per
// pattern of every row.
void append_number(std::string& out, int64_t v, int width, bool fill_mode) {
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    do {
        digits[n++] = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u != 0);
    int pad = fill_mode ? 0 : width - n - (v < 0 ? 1 : 0);
    if (v < 0) out += '-';
    if (pad > 0) out.append(static_cast<size_t>(pad), '0');
    while (n > 0)
        out += digits[--n];
}

// name in upper, capitalised or lower case, padded to `width` unless FM.
void append_name(std::string& out, sv name, char style, size_t width, bool fill_mode) {
    size_t start = out.size();
    out.append(name);
    for (size_t i = start; i < out.size(); ++i) {
        char& c = out[i];
        if (style == 'U' && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        if (style == 'L' && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    if (!fill_mode && name.size() < width) out.append(width - name.size(), ' ');
}

// Case style of a pattern word: 'U' all upper, 'C' capitalised, 'L' lower.
char style_of(sv p) {
    if (p[0] >= 'a' && p[0] <= 'z') return 'L';
    return (p.size() > 1 && p[1] >= 'a' && p[1] <= 'z') ? 'C' : 'U';
}

bool starts_ci(sv s, sv p) {
    if (s.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
        char a = s[i];
        if (a >= 'a' && a <= 'z') a = static_cast<char>(a - 32);
        if (a != p[i]) return false;
    }
    return true;
}

// Formats one pattern at the start of `f`; returns the pattern length, 0 when
// `f` does not start with a pattern.
size_t format_pattern(sv f, const civil& c, bool fm, bool with_zone, std::string& out) {
    int hour12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
    int64_t year = c.year > 0 ? c.year : 1 - c.year;
    if (starts_ci(f, "HH24")) return append_number(out, c.hour, 2, fm), 4;
    if (starts_ci(f, "HH12")) return append_number(out, hour12, 2, fm), 4;
    if (starts_ci(f, "HH")) return append_number(out, hour12, 2, fm), 2;
    if (starts_ci(f, "MI")) return append_number(out, c.minute, 2, fm), 2;
    if (starts_ci(f, "SS")) return append_number(out, c.second, 2, fm), 2;
    if (starts_ci(f, "MS")) return append_number(out, c.micros / 1000, 3, fm), 2;
    if (starts_ci(f, "US")) return append_number(out, c.micros, 6, fm), 2;
    if (starts_ci(f, "A.M.") || starts_ci(f, "P.M.")) {
        out += c.hour < 12 ? (f[0] >= 'a' ? "a.m." : "A.M.") : (f[0] >= 'a' ? "p.m." : "P.M.");
        return 4;
    }
    if (starts_ci(f, "AM") || starts_ci(f, "PM")) {
        out += c.hour < 12 ? (f[0] >= 'a' ? "am" : "AM") : (f[0] >= 'a' ? "pm" : "PM");
        return 2;
    }
    if (starts_ci(f, "IYYY")) {
        int64_t iy;
        int w;
        iso_week(c.day_number, iy, w);
        return append_number(out, iy, 4, fm), 4;
    }
    if (starts_ci(f, "YYYY")) return append_number(out, year, 4, fm), 4;
    if (starts_ci(f, "YYY")) return append_number(out, year % 1000, 3, fm), 3;
    if (starts_ci(f, "YY")) return append_number(out, year % 100, 2, fm), 2;
    if (starts_ci(f, "MONTH"))
        return append_name(out, k_months[c.month - 1], style_of(f), 9, fm), 5;
    if (starts_ci(f, "MON")) {
        return append_name(out, sv(k_months[c.month - 1]).substr(0, 3), style_of(f), 3, fm), 3;
    }
    if (starts_ci(f, "MM")) return append_number(out, c.month, 2, fm), 2;
    if (starts_ci(f, "DAY")) return append_name(out, k_days[c.dow], style_of(f), 9, fm), 3;
    if (starts_ci(f, "DY"))
        return append_name(out, sv(k_days[c.dow]).substr(0, 3), style_of(f), 3, fm), 2;
    if (starts_ci(f, "DDD")) return append_number(out, c.doy, 3, fm), 3;
    if (starts_ci(f, "DD")) return append_number(out, c.day, 2, fm), 2;
    if (starts_ci(f, "D")) return append_number(out, c.dow + 1, 1, fm), 1;
    if (starts_ci(f, "ID")) return append_number(out, c.dow == 0 ? 7 : c.dow, 1, fm), 2;
    if (starts_ci(f, "IW")) {
        int64_t iy;
        int w;
        iso_week(c.day_number, iy, w);
        return append_number(out, w, 2, fm), 2;
    }
    if (starts_ci(f, "WW")) return append_number(out, (c.doy - 1) / 7 + 1, 2, fm), 2;
    if (starts_ci(f, "Y")) return append_number(out, year % 10, 1, fm), 1;
    if (starts_ci(f, "Q")) return append_number(out, (c.month - 1) / 3 + 1, 1, fm), 1;
    if (starts_ci(f, "TZ")) {
        if (with_zone) out += f[0] == 't' ? "utc" : "UTC";
        return 2;
    }
    if (starts_ci(f, "OF")) {
        if (with_zone) out += "+00";
        return 2;
    }
    return 0;
}

void to_char(int64_t ts, sv format, bool with_zone, std::string& out) {
    out.clear();
    civil c = to_civil(ts);
    size_t i = 0;
    while (i < format.size()) {
        sv f = format.substr(i);
        if (f[0] == '"') {
            size_t j = 1;
            for (; j < f.size() && f[j] != '"'; ++j) {
                if (f[j] == '\\' && j + 1 < f.size()) ++j;
                out += f[j];
            }
            i += std::min(j + 1, f.size());
            continue;
        }
        if (f[0] == '\\' && f.size() > 1) {
            out += f[1];
            i += 2;
            continue;
        }
        bool fm = starts_ci(f, "FM");
        if (fm) f.remove_prefix(2);
        size_t n = format_pattern(f, c, fm, with_zone, out);
        if (n == 0) {
            if (fm) {
                i += 2;
                continue;
            }
            out += f[0];
            n = 1;
        }
        i += n + (fm ? 2 : 0);
    }
}

}  // namespace

void register_to_char(registry& r) {
    for (type_id t : {type_id::timestamptz, type_id::timestamp}) {
        bool zone = t == type_id::timestamptz;
        r.add("to_char", {t, type_id::text}, type_id::text,
              fallible<std::string, int64_t, sv>(
                  [zone](std::string& o, sql_error&, int64_t ts, sv f) {
                      to_char(ts, f, zone, o);
                      return true;
                  }));
    }
    r.add("to_char", {type_id::interval, type_id::text}, type_id::text,
          fallible<std::string, interval_value, sv>(
              [](std::string& o, sql_error&, interval_value v, sv f) {
                  to_char(v.days * k_micros_per_day + v.micros, f, false, o);
                  return true;
              }));
}

}  // namespace spate::sql::detail
