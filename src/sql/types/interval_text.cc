#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "sql/types/text_detail.h"

namespace spate::sql::text_detail {

namespace {

constexpr int64_t k_micros_per_minute = 60 * k_micros_per_second;
constexpr int64_t k_micros_per_hour = 60 * k_micros_per_minute;

// Accumulates interval parts in wide types; checked when finished.
struct interval_acc {
    long double months = 0;
    long double days = 0;
    long double micros = 0;

    // `v` of a unit worth `unit_months` months, `unit_days` days or
    // `unit_micros` micros (one of them non-zero). Fractions spill down the
    // way PostgreSQL does: months to 30-day days, days to 24-hour time.
    void add(long double v, int unit_months, int unit_days, int64_t unit_micros) {
        if (unit_months >= 12) {
            months += std::nearbyint(v * unit_months);
        } else if (unit_months > 0) {
            long double whole = std::trunc(v * unit_months);
            months += whole;
            add_days((v * unit_months - whole) * 30);
        } else if (unit_days > 0) {
            add_days(v * unit_days);
        } else {
            micros += v * unit_micros;
        }
    }
    void add_days(long double v) {
        long double whole = std::trunc(v);
        days += whole;
        micros += (v - whole) * static_cast<long double>(k_micros_per_day);
    }
};

struct unit_def {
    const char* names[5];
    int months;
    int days;
    int64_t micros;
};

constexpr unit_def k_units[] = {
    {{"microsecond", "microseconds", "us", "usec", "usecs"}, 0, 0, 1},
    {{"millisecond", "milliseconds", "ms", "msec", "msecs"}, 0, 0, 1000},
    {{"second", "seconds", "s", "sec", "secs"}, 0, 0, k_micros_per_second},
    {{"minute", "minutes", "m", "min", "mins"}, 0, 0, k_micros_per_minute},
    {{"hour", "hours", "h", "hr", "hrs"}, 0, 0, k_micros_per_hour},
    {{"day", "days", "d", nullptr, nullptr}, 0, 1, 0},
    {{"week", "weeks", "w", nullptr, nullptr}, 0, 7, 0},
    {{"month", "months", "mon", "mons", nullptr}, 1, 0, 0},
    {{"year", "years", "y", "yr", "yrs"}, 12, 0, 0},
    {{"decade", "decades", nullptr, nullptr, nullptr}, 120, 0, 0},
    {{"century", "centuries", nullptr, nullptr, nullptr}, 1200, 0, 0},
    {{"millennium", "millennia", "millenniums", nullptr, nullptr}, 12000, 0, 0},
};

const unit_def* find_unit(std::string_view word) {
    for (const unit_def& u : k_units) {
        for (const char* n : u.names) {
            if (n != nullptr && iequals(word, n)) return &u;
        }
    }
    return nullptr;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// [+-]digits[.digits]
bool read_number(std::string_view s, size_t& pos, long double& v) {
    size_t start = pos;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) ++pos;
    size_t digits_start = pos;
    while (pos < s.size() && (is_digit(s[pos]) || s[pos] == '.'))
        ++pos;
    if (pos == digits_start) return false;
    std::string_view num = s.substr(start, pos - start);
    bool negative = !num.empty() && num[0] == '-';
    if (num[0] == '+' || num[0] == '-') num.remove_prefix(1);
    double d = 0;
    auto res = std::from_chars(num.data(), num.data() + num.size(), d);
    if (res.ec != std::errc() || res.ptr != num.data() + num.size()) return false;
    v = negative ? -d : d;
    return true;
}

// After "[+-]H": ":MM[:SS[.f]]".
bool read_clock(std::string_view s, size_t& pos, long double hours, interval_acc& acc) {
    bool negative = std::signbit(hours);
    long double h = std::fabs(hours), m = 0, sec = 0;
    ++pos;  // ':'
    if (!read_number(s, pos, m) || m < 0 || m > 59) return false;
    if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!read_number(s, pos, sec) || sec < 0 || sec >= 60) return false;
    }
    long double total = h * k_micros_per_hour + m * k_micros_per_minute + sec * k_micros_per_second;
    acc.micros += negative ? -total : total;
    return true;
}

bool parse_iso(std::string_view s, interval_acc& acc) {
    size_t pos = 1;  // after 'P'
    bool time_part = false;
    if (pos == s.size()) return false;
    while (pos < s.size()) {
        if (s[pos] == 'T' || s[pos] == 't') {
            time_part = true;
            ++pos;
            continue;
        }
        long double v = 0;
        if (!read_number(s, pos, v) || pos >= s.size()) return false;
        char u = static_cast<char>(s[pos++] | 0x20);
        if (!time_part && u == 'y') {
            acc.add(v, 12, 0, 0);
        } else if (!time_part && u == 'm') {
            acc.add(v, 1, 0, 0);
        } else if (!time_part && u == 'w') {
            acc.add(v, 0, 7, 0);
        } else if (!time_part && u == 'd') {
            acc.add(v, 0, 1, 0);
        } else if (time_part && u == 'h') {
            acc.add(v, 0, 0, k_micros_per_hour);
        } else if (time_part && u == 'm') {
            acc.add(v, 0, 0, k_micros_per_minute);
        } else if (time_part && u == 's') {
            acc.add(v, 0, 0, k_micros_per_second);
        } else {
            return false;
        }
    }
    return true;
}

bool parse_words(std::string_view s, interval_acc& acc, bool& ago) {
    size_t pos = 0;
    if (pos < s.size() && s[pos] == '@') ++pos;
    bool any = false;
    while (true) {
        while (pos < s.size() && s[pos] == ' ')
            ++pos;
        if (pos == s.size()) break;
        if (is_alpha(s[pos])) {
            size_t start = pos;
            while (pos < s.size() && is_alpha(s[pos]))
                ++pos;
            if (!iequals(s.substr(start, pos - start), "ago") || !any) return false;
            ago = true;
            continue;
        }
        long double v = 0;
        if (!read_number(s, pos, v)) return false;
        any = true;
        if (pos < s.size() && s[pos] == ':') {
            if (!read_clock(s, pos, v, acc)) return false;
            continue;
        }
        while (pos < s.size() && s[pos] == ' ')
            ++pos;
        size_t start = pos;
        while (pos < s.size() && is_alpha(s[pos]))
            ++pos;
        std::string_view word = s.substr(start, pos - start);
        if (word.empty()) {
            acc.add(v, 0, 0, k_micros_per_second);
            continue;
        }
        if (iequals(word, "ago")) {  // "5 ago": seconds, then ago
            acc.add(v, 0, 0, k_micros_per_second);
            ago = true;
            continue;
        }
        const unit_def* u = find_unit(word);
        if (u == nullptr) return false;
        acc.add(v, u->months, u->days, u->micros);
    }
    return any;
}

void append_part(int64_t v, const char* unit, bool& is_zero, bool& is_before, std::string& out) {
    if (v == 0) return;
    if (!is_zero) out.push_back(' ');
    if (is_before && v > 0) out.push_back('+');
    out += std::to_string(v);
    out.push_back(' ');
    out += unit;
    if (v != 1) out.push_back('s');
    is_before = v < 0;
    is_zero = false;
}

}  // namespace

sql_result<interval_value> parse_interval(std::string_view text) {
    std::string_view s = trim(text);
    interval_acc acc;
    bool ago = false;
    bool ok =
        !s.empty() && (s[0] == 'P' || s[0] == 'p') ? parse_iso(s, acc) : parse_words(s, acc, ago);
    if (!ok) return bad_input("interval", text, sql_errc::invalid_datetime_format);
    long double micros = std::nearbyint(acc.micros);
    if (std::fabs(acc.months) > INT32_MAX || std::fabs(acc.days) > INT32_MAX ||
        std::fabs(micros) >= 9.2e18L) {
        return make_error(sql_errc::datetime_field_overflow, "interval out of range");
    }
    interval_value v{static_cast<int32_t>(acc.months), static_cast<int32_t>(acc.days),
                     static_cast<int64_t>(micros)};
    if (ago) {
        v.months = -v.months;
        v.days = -v.days;
        v.micros = -v.micros;
    }
    return v;
}

void format_interval(const interval_value& v, std::string& out) {
    bool is_zero = true;
    bool is_before = false;
    append_part(v.months / 12, "year", is_zero, is_before, out);
    append_part(v.months % 12, "mon", is_zero, is_before, out);
    append_part(v.days, "day", is_zero, is_before, out);
    if (!is_zero && v.micros == 0) return;
    if (!is_zero) out.push_back(' ');
    if (v.micros < 0) {
        out.push_back('-');
    } else if (is_before) {
        out.push_back('+');
    }
    // |INT64_MIN| does not fit an int64: work unsigned.
    uint64_t t =
        v.micros < 0 ? 0 - static_cast<uint64_t>(v.micros) : static_cast<uint64_t>(v.micros);
    uint64_t hours = t / k_micros_per_hour;
    t -= hours * k_micros_per_hour;
    uint64_t minutes = t / k_micros_per_minute;
    t -= minutes * k_micros_per_minute;
    if (hours < 10) out.push_back('0');
    out += std::to_string(hours);
    out.push_back(':');
    out.push_back(static_cast<char>('0' + minutes / 10));
    out.push_back(static_cast<char>('0' + minutes % 10));
    out.push_back(':');
    append_seconds(static_cast<int64_t>(t), out);
}

}  // namespace spate::sql::text_detail
