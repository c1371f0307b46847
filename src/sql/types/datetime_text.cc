#include <climits>
#include <cstdio>
#include <string>

#include "sql/types/text_detail.h"
#include "sql/types/text_io.h"

namespace spate::sql::text_detail {

namespace {

constexpr int32_t k_date_infinity = INT32_MAX;
constexpr int32_t k_date_minus_infinity = INT32_MIN;
constexpr int64_t k_ts_infinity = INT64_MAX;
constexpr int64_t k_ts_minus_infinity = INT64_MIN;

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads 1..max_digits digits at s[pos].
bool read_int(std::string_view s, size_t& pos, int max_digits, int64_t& v) {
    size_t start = pos;
    v = 0;
    while (pos < s.size() && is_digit(s[pos]) && static_cast<int>(pos - start) < max_digits) {
        v = v * 10 + (s[pos++] - '0');
    }
    return pos > start;
}

unsigned days_in_month(int64_t y, unsigned m) {
    static constexpr unsigned k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : k_days[m - 1];
}

// Strips a trailing " BC"/" AD" era; returns whether it was BC.
bool strip_era(std::string_view& s) {
    if (s.size() > 3 && s[s.size() - 3] == ' ') {
        std::string_view era = s.substr(s.size() - 2);
        if (iequals(era, "bc") || iequals(era, "ad")) {
            s = trim(s.substr(0, s.size() - 3));
            return iequals(era, "bc");
        }
    }
    return false;
}

enum class parse_status { ok, syntax, overflow };

parse_status read_date(std::string_view s, size_t& pos, bool bc, int64_t& days) {
    int64_t y = 0, m = 0, d = 0;
    if (!read_int(s, pos, 7, y) || pos >= s.size() || s[pos++] != '-') return parse_status::syntax;
    if (!read_int(s, pos, 2, m) || pos >= s.size() || s[pos++] != '-') return parse_status::syntax;
    if (!read_int(s, pos, 2, d)) return parse_status::syntax;
    if (bc) {
        if (y == 0) return parse_status::overflow;
        y = 1 - y;
    }
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, static_cast<unsigned>(m)) || y < -4712 ||
        y > 294276) {
        return parse_status::overflow;
    }
    days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    return parse_status::ok;
}

// HH:MM[:SS[.fraction]]; the fraction is rounded to microseconds.
parse_status read_time(std::string_view s, size_t& pos, int64_t& micros) {
    int64_t h = 0, mi = 0, sec = 0, frac = 0;
    if (!read_int(s, pos, 2, h) || pos >= s.size() || s[pos++] != ':') return parse_status::syntax;
    if (!read_int(s, pos, 2, mi)) return parse_status::syntax;
    if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!read_int(s, pos, 2, sec)) return parse_status::syntax;
        if (pos < s.size() && s[pos] == '.') {
            ++pos;
            int n = 0;
            bool round_up = false;
            while (pos < s.size() && is_digit(s[pos])) {
                if (n < 6) {
                    frac = frac * 10 + (s[pos] - '0');
                } else if (n == 6) {
                    round_up = s[pos] >= '5';
                }
                ++n;
                ++pos;
            }
            for (int k = n; k < 6; ++k)
                frac *= 10;
            if (round_up) ++frac;
        }
    }
    if (mi > 59 || sec > 59 || h > 24) return parse_status::overflow;
    micros = ((h * 60 + mi) * 60 + sec) * k_micros_per_second + frac;
    if (micros > k_micros_per_day) return parse_status::overflow;
    return parse_status::ok;
}

// Z, UTC, GMT, +HH, +HH:MM, +HHMM, -... ; offset in seconds east of UTC.
parse_status read_zone(std::string_view s, size_t& pos, int64_t& offset) {
    std::string_view rest = s.substr(pos);
    offset = 0;
    if (rest == "Z" || rest == "z" || iequals(rest, "utc") || iequals(rest, "gmt")) {
        pos = s.size();
        return parse_status::ok;
    }
    if (rest.empty() || (rest[0] != '+' && rest[0] != '-')) return parse_status::syntax;
    bool negative = rest[0] == '-';
    ++pos;
    int64_t h = 0, m = 0, sec = 0;
    size_t start = pos;
    if (!read_int(s, pos, 4, h)) return parse_status::syntax;
    if (pos - start > 2) {  // HHMM
        m = h % 100;
        h /= 100;
    } else if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!read_int(s, pos, 2, m)) return parse_status::syntax;
        if (pos < s.size() && s[pos] == ':') {
            ++pos;
            if (!read_int(s, pos, 2, sec)) return parse_status::syntax;
        }
    }
    if (h > 15 || m > 59 || sec > 59) return parse_status::overflow;
    offset = (h * 3600 + m * 60 + sec) * (negative ? -1 : 1);
    return parse_status::ok;
}

void append_2(int64_t v, std::string& out) {
    out.push_back(static_cast<char>('0' + v / 10 % 10));
    out.push_back(static_cast<char>('0' + v % 10));
}

// "YYYY-MM-DD" of an astronomical-year day count; returns whether BC.
bool append_ymd(int64_t days, std::string& out) {
    int64_t y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(days, y, m, d);
    bool bc = y <= 0;
    int64_t shown = bc ? 1 - y : y;
    // The year: at least 4 digits (zero-padded), more when it has them.
    char digits[24];
    int n = 0;
    for (uint64_t v = static_cast<uint64_t>(shown); v > 0 || n < 4; v /= 10)
        digits[n++] = static_cast<char>('0' + v % 10);
    while (n > 0)
        out.push_back(digits[--n]);
    out.push_back('-');
    append_2(m, out);
    out.push_back('-');
    append_2(d, out);
    return bc;
}

}  // namespace

void append_hms(int64_t micros_of_day, std::string& out) {
    int64_t minutes = micros_of_day / (60 * k_micros_per_second);
    append_2(minutes / 60, out);
    out.push_back(':');
    append_2(minutes % 60, out);
    out.push_back(':');
    append_seconds(micros_of_day % (60 * k_micros_per_second), out);
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = floor_div(y, 400);
    const int64_t yoe = y - era * 400;
    const int64_t mp = (m + 9) % 12;
    const int64_t doy = (153 * mp + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const int64_t era = floor_div(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
    y = yoe + era * 400 + (m <= 2);
}

void append_seconds(int64_t micros_of_minute, std::string& out) {
    append_2(micros_of_minute / k_micros_per_second, out);
    int64_t frac = micros_of_minute % k_micros_per_second;
    if (frac == 0) return;
    char digits[6];
    for (int k = 5; k >= 0; --k) {
        digits[k] = static_cast<char>('0' + frac % 10);
        frac /= 10;
    }
    int n = 6;
    while (digits[n - 1] == '0')
        --n;
    out.push_back('.');
    out.append(digits, static_cast<size_t>(n));
}

sql_result<int32_t> parse_date(std::string_view text) {
    std::string_view s = trim(text);
    if (iequals(s, "epoch")) return 0;
    if (iequals(s, "infinity") || iequals(s, "+infinity")) return k_date_infinity;
    if (iequals(s, "-infinity")) return k_date_minus_infinity;
    bool bc = strip_era(s);
    size_t pos = 0;
    int64_t days = 0;
    parse_status st = read_date(s, pos, bc, days);
    if (st == parse_status::ok && pos != s.size()) {
        // PostgreSQL takes a timestamp as a date, dropping the time of day.
        auto ts = parse_timestamp(text, true);
        if (!ts) return bad_input("date", text, sql_errc::invalid_datetime_format);
        return static_cast<int32_t>(days);
    }
    if (st == parse_status::overflow) return field_overflow(text);
    if (st != parse_status::ok) return bad_input("date", text, sql_errc::invalid_datetime_format);
    return static_cast<int32_t>(days);
}

void format_date(int32_t days, std::string& out) {
    if (days == k_date_infinity) {
        out += "infinity";
        return;
    }
    if (days == k_date_minus_infinity) {
        out += "-infinity";
        return;
    }
    if (append_ymd(days, out)) out += " BC";
}

sql_result<int64_t> parse_time(std::string_view text) {
    std::string_view s = trim(text);
    if (iequals(s, "allballs")) return 0;
    size_t pos = 0;
    int64_t micros = 0;
    parse_status st = read_time(s, pos, micros);
    if (st == parse_status::ok && pos != s.size()) {
        int64_t ignored = 0;  // PostgreSQL ignores a zone on TIME input
        st = read_zone(s, pos, ignored);
        if (st == parse_status::ok && pos != s.size()) st = parse_status::syntax;
    }
    if (st == parse_status::overflow) return field_overflow(text);
    if (st != parse_status::ok) {
        return bad_input("time without time zone", text, sql_errc::invalid_datetime_format);
    }
    return micros;
}

void format_time(int64_t micros, std::string& out) {
    append_hms(micros, out);
}

}  // namespace spate::sql::text_detail

namespace spate::sql {

using namespace text_detail;

sql_result<int64_t> parse_timestamp(std::string_view text, bool with_zone) {
    const char* type = with_zone ? "timestamp with time zone" : "timestamp without time zone";
    std::string_view s = trim(text);
    if (iequals(s, "epoch")) return int64_t{0};
    if (iequals(s, "infinity") || iequals(s, "+infinity")) return k_ts_infinity;
    if (iequals(s, "-infinity")) return k_ts_minus_infinity;
    bool bc = strip_era(s);
    size_t pos = 0;
    int64_t days = 0, tod = 0, offset = 0;
    parse_status st = read_date(s, pos, bc, days);
    if (st == parse_status::ok && pos < s.size()) {
        if (s[pos] == 'T' || s[pos] == 't') {
            ++pos;
        } else {
            while (pos < s.size() && s[pos] == ' ')
                ++pos;
        }
        st = read_time(s, pos, tod);
        while (st == parse_status::ok && pos < s.size() && s[pos] == ' ')
            ++pos;
        if (st == parse_status::ok && pos < s.size()) st = read_zone(s, pos, offset);
        if (st == parse_status::ok && pos != s.size()) st = parse_status::syntax;
    }
    if (st == parse_status::overflow) return field_overflow(text);
    if (st != parse_status::ok) return bad_input(type, text, sql_errc::invalid_datetime_format);
    if (!with_zone) offset = 0;  // PostgreSQL ignores a zone on TIMESTAMP input
    int64_t micros = 0;
    if (__builtin_mul_overflow(days, k_micros_per_day, &micros) ||
        __builtin_add_overflow(micros, tod - offset * k_micros_per_second, &micros) ||
        micros == k_ts_infinity || micros == k_ts_minus_infinity) {
        return make_error(sql_errc::datetime_field_overflow,
                          "timestamp out of range: \"" + std::string(text) + "\"");
    }
    return micros;
}

void format_timestamp(int64_t micros, bool with_zone, std::string& out) {
    if (micros == k_ts_infinity) {
        out += "infinity";
        return;
    }
    if (micros == k_ts_minus_infinity) {
        out += "-infinity";
        return;
    }
    int64_t days = floor_div(micros, k_micros_per_day);
    bool bc = append_ymd(days, out);
    out.push_back(' ');
    append_hms(micros - days * k_micros_per_day, out);
    if (with_zone) out += "+00";
    if (bc) out += " BC";
}

}  // namespace spate::sql
