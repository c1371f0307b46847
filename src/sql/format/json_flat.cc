#include "sql/format/json_flat.h"

#include <charconv>
#include <cstring>

#include "sql/format/format_detail.h"
#include "sql/types/text_detail.h"
#include "sql/types/text_io.h"

namespace spate::sql::format_detail {

namespace {

using namespace text_detail;

bool is_ws(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// What may follow a scalar value: whitespace, ',' or '}' (the object is
// flat), or the end (then the object is incomplete and declined later).
bool ends_value(const char* p, const char* end) {
    return p == end || is_ws(*p) || *p == ',' || *p == '}';
}

void skip_ws(const char*& p, const char* end) {
    while (p < end && is_ws(*p))
        ++p;
}

// The end of the run from `p` of bytes a JSON string holds verbatim.
const char* plain_run(const char* p, const char* end) {
    return p + json_plain_length(p, static_cast<size_t>(end - p));
}

// Strict JSON number grammar from `p`: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
// Sets `integral` when there is neither a fraction nor an exponent.
bool read_number(const char*& p, const char* end, bool& integral) {
    if (p < end && *p == '-') ++p;
    if (p == end || !is_digit(*p)) return false;
    if (*p++ == '0') {
        if (p < end && is_digit(*p)) return false;
    } else {
        while (p < end && is_digit(*p))
            ++p;
    }
    integral = true;
    if (p < end && *p == '.') {
        integral = false;
        if (++p == end || !is_digit(*p)) return false;
        while (p < end && is_digit(*p))
            ++p;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        integral = false;
        ++p;
        if (p < end && (*p == '+' || *p == '-')) ++p;
        if (p == end || !is_digit(*p)) return false;
        while (p < end && is_digit(*p))
            ++p;
    }
    return ends_value(p, end);
}

// "true", "false" or "null" at `p` followed by the end of a value.
bool read_literal(const char*& p, const char* end, std::string_view word) {
    if (static_cast<size_t>(end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0)
        return false;
    p += word.size();
    return ends_value(p, end);
}

unsigned days_in_month(int64_t y, unsigned m) {
    static constexpr unsigned k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : k_days[m - 1];
}

// The value of the `n` digits at `s` (checked to be digits), or -1.
int64_t digits(const char* s, int n) {
    int64_t v = 0;
    for (int i = 0; i < n; ++i) {
        if (!is_digit(s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

}  // namespace

json_flat_decoder::json_flat_decoder(std::span<const column_def> declared)
    : _declared(declared.begin(), declared.end()), _seen(declared.size()) {
    for (const auto& c : _declared)
        _plain_name.push_back(json_plain_length(c.name.data(), c.name.size()) == c.name.size());
}

bool json_flat_decoder::decode(std::string_view text, chunk& out, size_t rows) {
    cursor c{text.data(), text.data() + text.size()};
    std::fill(_seen.begin(), _seen.end(), 0);
    _next = 0;
    bool ok = fields(c, out);
    if (ok) {
        skip_ws(c.p, c.end);
        ok = c.p == c.end;
    }
    if (!ok) {
        // Also drops bytes a failed parse may have left past the last row.
        for (size_t i = 0; i < _declared.size(); ++i)
            out.at(i).truncate(rows);
        return false;
    }
    for (size_t i = 0; i < _declared.size(); ++i)
        if (!_seen[i]) out.at(i).push_null();
    return true;
}

// The object from its '{' to its '}', each known field into its column.
bool json_flat_decoder::fields(cursor& c, chunk& out) {
    skip_ws(c.p, c.end);
    if (c.p == c.end || *c.p++ != '{') return false;
    skip_ws(c.p, c.end);
    if (c.p < c.end && *c.p == '}') {
        ++c.p;
        return true;
    }
    for (;;) {
        if (c.p == c.end || *c.p++ != '"') return false;
        size_t col = next_key(c);
        if (col == k_declined) return false;
        if (c.p < c.end && *c.p == ':') {
            ++c.p;
        } else {
            skip_ws(c.p, c.end);
            if (c.p == c.end || *c.p++ != ':') return false;
        }
        skip_ws(c.p, c.end);
        if (col < _declared.size()) {
            if (_seen[col]) return false;  // a repeated key: the general path's rule
            _seen[col] = 1;
            if (!read_value(c, out.at(col))) return false;
        } else if (!skip_value(c)) {
            return false;
        }
        skip_ws(c.p, c.end);
        if (c.p == c.end) return false;
        char sep = *c.p++;
        if (sep == '}') return true;
        if (sep != ',') return false;
        skip_ws(c.p, c.end);
    }
}

// The key from after its opening quote to after its closing one: the
// expected column's name is compared in place (a name with bytes JSON
// escapes is never expected), any other key is scanned and looked up.
size_t json_flat_decoder::next_key(cursor& c) {
    if (_next < _declared.size() && _plain_name[_next]) {
        const std::string& name = _declared[_next].name;
        size_t len = name.size();
        if (static_cast<size_t>(c.end - c.p) > len && std::memcmp(c.p, name.data(), len) == 0 &&
            c.p[len] == '"') {
            c.p += len + 1;
            return _next++;
        }
    }
    const char* start = c.p;
    c.p = plain_run(c.p, c.end);
    if (c.p == c.end || *c.p != '"') return k_declined;  // escapes, non-ASCII
    std::string_view key(start, static_cast<size_t>(c.p - start));
    ++c.p;
    return find_column(key);
}

// As the general path: an exact name first, then the ASCII-lowercased key.
size_t json_flat_decoder::find_column(std::string_view key) {
    size_t n = _declared.size();
    if (_next < n && _declared[_next].name == key) return _next++;
    for (size_t i = 0; i < n; ++i) {
        if (_declared[i].name == key) {
            _next = i + 1;
            return i;
        }
    }
    for (size_t i = 0; i < n; ++i)
        if (field_matches_column(key, _declared[i].name)) return i;
    return n;
}

// A string from its opening quote; `s` views the record or, with escapes,
// _unescaped. Declines \u escapes, control characters and invalid UTF-8.
bool json_flat_decoder::read_string(cursor& c, std::string_view& s) {
    const char* start = ++c.p;
    const char* p = plain_run(start, c.end);
    if (p < c.end && *p == '"') {
        s = std::string_view(start, static_cast<size_t>(p - start));
        c.p = p + 1;
        return true;
    }
    _unescaped.assign(start, p);
    while (p < c.end) {
        auto b = static_cast<unsigned char>(*p);
        if (b == '"') break;
        if (b < 0x20) return false;
        if (b == '\\') {
            if (++p == c.end) return false;
            char e = *p++;
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    _unescaped.push_back(e);
                    break;
                case 'b':
                    _unescaped.push_back('\b');
                    break;
                case 'f':
                    _unescaped.push_back('\f');
                    break;
                case 'n':
                    _unescaped.push_back('\n');
                    break;
                case 'r':
                    _unescaped.push_back('\r');
                    break;
                case 't':
                    _unescaped.push_back('\t');
                    break;
                default:
                    return false;  // \u (and invalid escapes): the general path
            }
            continue;
        }
        const char* run_end = b >= 0x80 ? p + 1 : plain_run(p, c.end);
        while (run_end < c.end && static_cast<unsigned char>(*run_end) >= 0x80)
            ++run_end;
        _unescaped.append(p, run_end);
        p = run_end;
    }
    if (p == c.end) return false;
    c.p = p + 1;
    if (!is_valid_utf8(_unescaped)) return false;
    s = _unescaped;
    return true;
}

bool json_flat_decoder::read_value(cursor& c, column& col) {
    if (c.p == c.end) return false;
    const data_type& t = col.type();
    switch (*c.p) {
        case '"': {
            std::string_view s;
            return read_string(c, s) && ends_value(c.p, c.end) && string_value(s, col);
        }
        case 't':
        case 'f': {
            bool b = *c.p == 't';
            if (!read_literal(c.p, c.end, b ? "true" : "false")) return false;
            if (t.id == type_id::boolean) {
                col.push<uint8_t>(b ? 1 : 0);
                return true;
            }
            if (t.id != type_id::text && t.id != type_id::unknown) return false;
            return parse_text(b ? "true" : "false", t, col).ok();
        }
        case 'n':
            if (!read_literal(c.p, c.end, "null")) return false;
            col.push_null();
            return true;
        default: {
            if (fast_integer(c, col)) return true;
            const char* start = c.p;
            bool integral = false;
            if (!read_number(c.p, c.end, integral)) return false;
            std::string_view token(start, static_cast<size_t>(c.p - start));
            if (!integral && t.id != type_id::float32 && t.id != type_id::float64 &&
                t.id != type_id::numeric && t.id != type_id::text && t.id != type_id::unknown)
                return false;
            return number_value(token, col);
        }
    }
}

// An integer of at most 18 digits into a BIGINT column: the common case
// without the general number path. False (nothing consumed): any other
// case, which read_value then takes through the general number path.
bool json_flat_decoder::fast_integer(cursor& c, column& col) {
    if (col.type().id != type_id::int64) return false;
    const char* p = c.p;
    bool negative = *p == '-';
    if (negative) ++p;
    const char* digits_start = p;
    uint64_t v = 0;
    while (p < c.end && is_digit(*p) && p - digits_start < 18)
        v = v * 10 + static_cast<uint64_t>(*p++ - '0');
    size_t n = static_cast<size_t>(p - digits_start);
    if (n == 0 || (n > 1 && *digits_start == '0')) return false;
    if (p < c.end && (is_digit(*p) || *p == '.' || *p == 'e' || *p == 'E')) return false;
    if (!ends_value(p, c.end)) return false;
    col.push<int64_t>(negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v));
    c.p = p;
    return true;
}

bool json_flat_decoder::skip_value(cursor& c) {
    if (c.p == c.end) return false;
    switch (*c.p) {
        case '"': {
            std::string_view s;
            return read_string(c, s) && ends_value(c.p, c.end);
        }
        case 't':
            return read_literal(c.p, c.end, "true");
        case 'f':
            return read_literal(c.p, c.end, "false");
        case 'n':
            return read_literal(c.p, c.end, "null");
        default: {
            bool integral = false;
            return read_number(c.p, c.end, integral);
        }
    }
}

bool json_flat_decoder::string_value(std::string_view s, column& col) {
    const data_type& t = col.type();
    switch (t.id) {
        case type_id::text:
        case type_id::unknown: {
            auto v = fit_varchar(s, t);
            if (!v) return false;
            col.push_string(v.value());
            return true;
        }
        case type_id::timestamp:
        case type_id::timestamptz:
            if (timestamp_value(s, col)) return true;
            return parse_text(s, t, col).ok();
        case type_id::jsonb:
            return false;
        default:
            return parse_text(s, t, col).ok();
    }
}

// A number token (strict JSON) into an integer, timestamp (epoch ms),
// floating, numeric or text column; integers and timestamps only from
// integral tokens (the caller checked).
bool json_flat_decoder::number_value(std::string_view token, column& col) {
    const data_type& t = col.type();
    switch (t.id) {
        case type_id::int16:
        case type_id::int32:
        case type_id::int64:
        case type_id::timestamp:
        case type_id::timestamptz: {
            int64_t v = 0;
            auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
            if (ec != std::errc() || end != token.data() + token.size()) return false;
            if (t.id == type_id::int16) {
                if (v < INT16_MIN || v > INT16_MAX) return false;
                col.push<int16_t>(static_cast<int16_t>(v));
            } else if (t.id == type_id::int32) {
                if (v < INT32_MIN || v > INT32_MAX) return false;
                col.push<int32_t>(static_cast<int32_t>(v));
            } else if (t.id == type_id::int64) {
                col.push<int64_t>(v);
            } else {
                int64_t micros = 0;
                if (__builtin_mul_overflow(v, int64_t{1000}, &micros)) return false;
                col.push<int64_t>(micros);
            }
            return true;
        }
        case type_id::float32:
        case type_id::float64:
        case type_id::numeric:
        case type_id::text:
        case type_id::unknown:
            return parse_text(token, t, col).ok();
        default:
            return false;
    }
}

// "YYYY-MM-DD HH:MM:SS[.f{1,6}]" (or 'T' between), within range; anything
// else (zones, other layouts, out of range) goes to parse_text.
bool json_flat_decoder::timestamp_value(std::string_view s, column& col) {
    size_t n = s.size();
    if (n < 19 || n == 20 || n > 26) return false;
    const char* p = s.data();
    if (p[4] != '-' || p[7] != '-' || (p[10] != ' ' && p[10] != 'T') || p[13] != ':' ||
        p[16] != ':')
        return false;
    if (std::memcmp(p, _day_text, sizeof _day_text) != 0) {
        int64_t y = digits(p, 4), m = digits(p + 5, 2), d = digits(p + 8, 2);
        if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, static_cast<unsigned>(m)))
            return false;
        _day = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
        std::memcpy(_day_text, p, sizeof _day_text);
    }
    int64_t h = digits(p + 11, 2), mi = digits(p + 14, 2), sec = digits(p + 17, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return false;
    int64_t frac = 0;
    if (n > 19) {
        if (p[19] != '.') return false;
        int64_t f = digits(p + 20, static_cast<int>(n - 20));
        if (f < 0) return false;
        frac = f;
        for (size_t k = n - 20; k < 6; ++k)
            frac *= 10;
    }
    col.push<int64_t>(_day * k_micros_per_day + ((h * 60 + mi) * 60 + sec) * k_micros_per_second +
                      frac);
    return true;
}

}  // namespace spate::sql::format_detail
