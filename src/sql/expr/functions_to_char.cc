// to_char(timestamp|timestamptz|date, format) with PostgreSQL's template
// patterns: HH HH12 HH24 MI SS MS US AM PM A.M. P.M. (either case) YYYY YYY YY
// Y IYYY MONTH Month month MON Mon mon MM DAY Day day DY Dy dy DDD DD D ID IW
// WW Q TZ tz OF, the FM prefix, "quoted text" and backslash escapes. Anything
// else is copied.

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// A format compiled once (to_char() keeps the last one per thread): literal
// text and template patterns, each with its modifiers.
enum class pattern : uint8_t {
    literal,
    hh24,
    hh12,
    mi,
    ss,
    ms,
    us,
    meridiem_dots,
    meridiem,
    iyyy,
    yyyy,
    yyy,
    yy,
    month,
    mon,
    mm,
    day,
    dy,
    ddd,
    dd,
    d,
    id,
    iw,
    ww,
    y,
    q,
    tz,
    of
};

// The zero-padded width of each numeric pattern, 0 for the others.
constexpr int k_widths[] = {0, 2, 2, 2, 2, 3, 6, 0, 0, 4, 4, 3, 2, 0,
                            0, 2, 0, 0, 3, 2, 1, 1, 2, 2, 1, 1, 0, 0};
static_assert(std::size(k_widths) == static_cast<size_t>(pattern::of) + 1);

struct step {
    pattern p = pattern::literal;
    bool fm = false;     // the FM prefix
    bool lower = false;  // the pattern starts with a lower-case letter
    char style = 'U';    // style_of() of name patterns
    std::string text;    // pattern::literal
};

struct pattern_name {
    sv name;
    pattern p;
};

// In matching order: a longer pattern before its prefixes.
constexpr pattern_name k_patterns[] = {{"HH24", pattern::hh24},
                                       {"HH12", pattern::hh12},
                                       {"HH", pattern::hh12},
                                       {"MI", pattern::mi},
                                       {"SS", pattern::ss},
                                       {"MS", pattern::ms},
                                       {"US", pattern::us},
                                       {"A.M.", pattern::meridiem_dots},
                                       {"P.M.", pattern::meridiem_dots},
                                       {"AM", pattern::meridiem},
                                       {"PM", pattern::meridiem},
                                       {"IYYY", pattern::iyyy},
                                       {"YYYY", pattern::yyyy},
                                       {"YYY", pattern::yyy},
                                       {"YY", pattern::yy},
                                       {"MONTH", pattern::month},
                                       {"MON", pattern::mon},
                                       {"MM", pattern::mm},
                                       {"DAY", pattern::day},
                                       {"DY", pattern::dy},
                                       {"DDD", pattern::ddd},
                                       {"DD", pattern::dd},
                                       {"D", pattern::d},
                                       {"ID", pattern::id},
                                       {"IW", pattern::iw},
                                       {"WW", pattern::ww},
                                       {"Y", pattern::y},
                                       {"Q", pattern::q},
                                       {"TZ", pattern::tz},
                                       {"OF", pattern::of}};

void add_literal(std::vector<step>& steps, sv text) {
    if (steps.empty() || steps.back().p != pattern::literal) steps.emplace_back();
    steps.back().text.append(text);
}

// The pattern at the start of `f` and its length; 0 when there is none.
size_t match_pattern(sv f, bool fm, std::vector<step>& steps) {
    for (const auto& [name, p] : k_patterns) {
        if (!starts_ci(f, name)) continue;
        step s;
        s.p = p;
        s.fm = fm;
        s.lower = f[0] >= 'a';
        s.style = style_of(f);
        steps.push_back(std::move(s));
        return name.size();
    }
    return 0;
}

std::vector<step> compile(sv format) {
    std::vector<step> steps;
    size_t i = 0;
    while (i < format.size()) {
        sv f = format.substr(i);
        if (f[0] == '"') {
            size_t j = 1;
            for (; j < f.size() && f[j] != '"'; ++j) {
                if (f[j] == '\\' && j + 1 < f.size()) ++j;
                add_literal(steps, f.substr(j, 1));
            }
            i += std::min(j + 1, f.size());
            continue;
        }
        if (f[0] == '\\' && f.size() > 1) {
            add_literal(steps, f.substr(1, 1));
            i += 2;
            continue;
        }
        bool fm = starts_ci(f, "FM");
        if (fm) f.remove_prefix(2);
        size_t n = match_pattern(f, fm, steps);
        if (n == 0) {
            if (fm) {
                i += 2;
                continue;
            }
            add_literal(steps, f.substr(0, 1));
            n = 1;
        }
        i += n + (fm ? 2 : 0);
    }
    return steps;
}

// The value of a numeric pattern (k_widths[p] > 0).
int64_t numeric_value(pattern p, const civil& c) {
    int64_t year = c.year > 0 ? c.year : 1 - c.year;
    int64_t iso_year = 0;
    int iso_week_number = 0;
    if (p == pattern::iyyy || p == pattern::iw) iso_week(c.day_number, iso_year, iso_week_number);
    switch (p) {
        case pattern::hh24:
            return c.hour;
        case pattern::hh12:
            return c.hour % 12 == 0 ? 12 : c.hour % 12;
        case pattern::mi:
            return c.minute;
        case pattern::ss:
            return c.second;
        case pattern::ms:
            return c.micros / 1000;
        case pattern::us:
            return c.micros;
        case pattern::iyyy:
            return iso_year;
        case pattern::yyyy:
            return year;
        case pattern::yyy:
            return year % 1000;
        case pattern::yy:
            return year % 100;
        case pattern::mm:
            return c.month;
        case pattern::ddd:
            return c.doy;
        case pattern::dd:
            return c.day;
        case pattern::d:
            return c.dow + 1;
        case pattern::id:
            return c.dow == 0 ? 7 : c.dow;
        case pattern::iw:
            return iso_week_number;
        case pattern::ww:
            return (c.doy - 1) / 7 + 1;
        case pattern::y:
            return year % 10;
        case pattern::q:
            return (c.month - 1) / 3 + 1;
        default:
            return 0;
    }
}

// Formats one step of a compiled format.
void format_step(const step& s, const civil& c, bool with_zone, std::string& out) {
    if (int width = k_widths[static_cast<size_t>(s.p)]; width > 0)
        return append_number(out, numeric_value(s.p, c), width, s.fm);
    switch (s.p) {
        case pattern::meridiem_dots:
            out += c.hour < 12 ? (s.lower ? "a.m." : "A.M.") : (s.lower ? "p.m." : "P.M.");
            return;
        case pattern::meridiem:
            out += c.hour < 12 ? (s.lower ? "am" : "AM") : (s.lower ? "pm" : "PM");
            return;
        case pattern::month:
            return append_name(out, k_months[c.month - 1], s.style, 9, s.fm);
        case pattern::mon:
            return append_name(out, sv(k_months[c.month - 1]).substr(0, 3), s.style, 3, s.fm);
        case pattern::day:
            return append_name(out, k_days[c.dow], s.style, 9, s.fm);
        case pattern::dy:
            return append_name(out, sv(k_days[c.dow]).substr(0, 3), s.style, 3, s.fm);
        case pattern::tz:
            if (with_zone) out += s.lower ? "utc" : "UTC";
            return;
        case pattern::of:
            if (with_zone) out += "+00";
            return;
        default:
            out += s.text;  // pattern::literal
    }
}

// Whether a pattern's text depends on the date alone (not the time of day
// or the zone).
bool date_only(pattern p) {
    switch (p) {
        case pattern::hh24:
        case pattern::hh12:
        case pattern::mi:
        case pattern::ss:
        case pattern::ms:
        case pattern::us:
        case pattern::meridiem_dots:
        case pattern::meridiem:
        case pattern::tz:
        case pattern::of:
            return false;
        default:
            return true;
    }
}

void to_char(int64_t ts, sv format, bool with_zone, std::string& out) {
    // A query formats many rows with one format: compile it once per thread.
    // A format of the date alone (e.g. 'YYYY-MM-DD') keeps its last day's
    // text: rows in event-time order mostly repeat it.
    struct compiled {
        bool valid = false;
        std::string format;
        std::vector<step> steps;
        bool by_day = false;
        std::optional<int64_t> day;  // of `text`
        std::string text;
    };
    thread_local compiled last;
    if (!last.valid || last.format != format) {
        last.steps = compile(format);
        last.format.assign(format);
        last.valid = true;
        last.by_day = std::all_of(last.steps.begin(), last.steps.end(),
                                  [](const step& s) { return date_only(s.p); });
        last.day.reset();
    }
    std::optional<int64_t> day;
    if (last.by_day) {
        day = floor_div(ts, k_micros_per_day);
        if (last.day == day) {
            out.assign(last.text);
            return;
        }
    }
    out.clear();
    civil c = to_civil(ts);
    for (const step& s : last.steps)
        format_step(s, c, with_zone, out);
    if (last.by_day) {
        last.day = day;
        last.text.assign(out);
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
