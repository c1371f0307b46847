#include "sql/types/text_io.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "sql/types/text_detail.h"

namespace spate::sql {

namespace text_detail {

std::string_view trim(std::string_view s) {
    auto space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
        if (x != y) return false;
    }
    return true;
}

sql_error bad_input(std::string_view type, std::string_view text, sql_errc code) {
    return make_error(code, "invalid input syntax for type " + std::string(type) + ": \"" +
                                std::string(text) + "\"");
}

sql_error field_overflow(std::string_view text) {
    return make_error(sql_errc::datetime_field_overflow,
                      "date/time field value out of range: \"" + std::string(text) + "\"");
}

sql_result<int64_t> parse_integer(std::string_view text, std::string_view type, int64_t min,
                                  int64_t max) {
    std::string_view s = trim(text);
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    int64_t v = 0;
    auto res = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || s[0] == '+' || (res.ec == std::errc() && res.ptr != s.data() + s.size()) ||
        res.ec == std::errc::invalid_argument) {
        return bad_input(type, text);
    }
    if (res.ec == std::errc::result_out_of_range || v < min || v > max) {
        return make_error(
            sql_errc::numeric_value_out_of_range,
            "value \"" + std::string(text) + "\" is out of range for type " + std::string(type));
    }
    return v;
}

sql_result<double> parse_float(std::string_view text, bool single) {
    const char* type = single ? "real" : "double precision";
    std::string_view s = trim(text);
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty() || s[0] == '+' || s[0] == '-') return bad_input(type, text);
    double v = 0;
    std::from_chars_result res;
    if (single) {
        float f = 0;
        res = std::from_chars(s.data(), s.data() + s.size(), f);
        v = f;
    } else {
        res = std::from_chars(s.data(), s.data() + s.size(), v);
    }
    if (res.ec == std::errc::invalid_argument || res.ptr != s.data() + s.size()) {
        return bad_input(type, text);
    }
    if (res.ec == std::errc::result_out_of_range) {
        return make_error(sql_errc::numeric_value_out_of_range,
                          "\"" + std::string(text) + "\" is out of range for type " + type);
    }
    return negative ? -v : v;
}

sql_status parse_bytea(std::string_view text, std::string& out) {
    auto hex_value = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    size_t mark = out.size();
    if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') {
        for (size_t i = 2; i < text.size();) {
            char c = text[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++i;
                continue;
            }
            int hi = hex_value(c);
            if (hi < 0 || i + 1 >= text.size() || hex_value(text[i + 1]) < 0) {
                out.resize(mark);
                if (hi >= 0 && i + 1 >= text.size()) {
                    return make_error(sql_errc::invalid_parameter_value,
                                      "invalid hexadecimal data: odd number of digits");
                }
                char bad = hi < 0 ? c : text[i + 1];
                return make_error(sql_errc::invalid_parameter_value,
                                  std::string("invalid hexadecimal digit: \"") + bad + "\"");
            }
            out.push_back(static_cast<char>(hi * 16 + hex_value(text[i + 1])));
            i += 2;
        }
        return {};
    }
    for (size_t i = 0; i < text.size();) {
        if (text[i] != '\\') {
            out.push_back(text[i++]);
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '\\') {
            out.push_back('\\');
            i += 2;
            continue;
        }
        auto octal = [&](size_t k, char hi) { return text[k] >= '0' && text[k] <= hi; };
        if (i + 3 < text.size() + 0 && octal(i + 1, '3') && octal(i + 2, '7') &&
            octal(i + 3, '7')) {
            out.push_back(static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                            (text[i + 3] - '0')));
            i += 4;
            continue;
        }
        out.resize(mark);
        return make_error(sql_errc::invalid_text_representation,
                          "invalid input syntax for type bytea");
    }
    return {};
}

sql_result<std::string_view> fit_varchar(std::string_view s, const data_type& t) {
    if (!t.varchar || t.precision < 0) return s;
    size_t chars = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) continue;
        if (chars == static_cast<size_t>(t.precision)) {
            if (s.find_first_not_of(' ', i) == std::string_view::npos) return s.substr(0, i);
            return make_error(
                sql_errc::string_data_right_truncation,
                "value too long for type character varying(" + std::to_string(t.precision) + ")");
        }
        ++chars;
    }
    return s;
}

}  // namespace text_detail

using namespace text_detail;

namespace {

sql_result<bool> parse_bool(std::string_view text) {
    std::string_view s = trim(text);
    auto prefix_of = [&](std::string_view word, size_t min_len) {
        return s.size() >= min_len && s.size() <= word.size() &&
               iequals(s, word.substr(0, s.size()));
    };
    if (prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || s == "1") return true;
    if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || s == "0") {
        return false;
    }
    return bad_input("boolean", text);
}

template <typename T>
sql_status push_int(std::string_view text, const char* type, column& out) {
    auto v =
        parse_integer(text, type, std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
    if (!v) return v.error();
    out.push<T>(static_cast<T>(v.value()));
    return {};
}

// Appends bytes produced by `fill` (which appends to the column's buffer
// or fails leaving it as it was) as one row.
template <typename F>
sql_status push_bytes(column& out, F&& fill) {
    string_data& sd = out.strings();
    if (auto st = fill(sd.bytes); !st) return st;
    sd.offsets.push_back(static_cast<uint32_t>(sd.bytes.size()));
    out.nulls().push_back(0);
    return {};
}

sql_status parse_temporal(std::string_view text, const data_type& t, column& out) {
    switch (t.id) {
        case type_id::date: {
            auto v = parse_date(text);
            if (!v) return v.error();
            out.push<int32_t>(v.value());
            return {};
        }
        case type_id::time: {
            auto v = parse_time(text);
            if (!v) return v.error();
            out.push<int64_t>(v.value());
            return {};
        }
        case type_id::timestamp:
        case type_id::timestamptz: {
            auto v = parse_timestamp(text, t.id == type_id::timestamptz);
            if (!v) return v.error();
            out.push<int64_t>(v.value());
            return {};
        }
        default: {
            auto v = parse_interval(text);
            if (!v) return v.error();
            out.push<interval_value>(v.value());
            return {};
        }
    }
}

}  // namespace

sql_status parse_text(std::string_view text, const data_type& t, column& out) {
    switch (t.id) {
        case type_id::unknown:
        case type_id::text: {
            auto v = fit_varchar(text, t);
            if (!v) return v.error();
            out.push_string(v.value());
            return {};
        }
        case type_id::boolean: {
            auto v = parse_bool(text);
            if (!v) return v.error();
            out.push<uint8_t>(v.value() ? 1 : 0);
            return {};
        }
        case type_id::int16:
            return push_int<int16_t>(text, "smallint", out);
        case type_id::int32:
            return push_int<int32_t>(text, "integer", out);
        case type_id::int64:
            return push_int<int64_t>(text, "bigint", out);
        case type_id::float32:
        case type_id::float64: {
            bool single = t.id == type_id::float32;
            auto v = parse_float(text, single);
            if (!v) return v.error();
            if (single) {
                out.push<float>(static_cast<float>(v.value()));
            } else {
                out.push<double>(v.value());
            }
            return {};
        }
        case type_id::numeric: {
            auto v = parse_decimal(text);
            if (!v) return v.error();
            if (auto st = fit_numeric(v.value(), t); !st) return st;
            out.push<decimal>(v.value());
            return {};
        }
        case type_id::bytea:
            return push_bytes(out, [&](std::string& b) { return parse_bytea(text, b); });
        case type_id::jsonb:
            return push_bytes(out, [&](std::string& b) { return normalise_jsonb(text, b); });
        case type_id::date:
        case type_id::time:
        case type_id::timestamp:
        case type_id::timestamptz:
        case type_id::interval:
            return parse_temporal(text, t, out);
    }
    return make_error(sql_errc::internal_error, "parse_text: unknown type");
}

sql_result<value> parse_value(std::string_view text, const data_type& t) {
    column c(t);
    if (auto st = parse_text(text, t, c); !st) return st.error();
    return value::from_column(c, 0);
}

namespace {

void append_integer(int64_t v, std::string& out) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<size_t>(r.ptr - buf));
}

}  // namespace

void format_text(const column& c, size_t row, std::string& out) {
    static constexpr char k_hex[] = "0123456789abcdef";
    switch (c.type().id) {
        case type_id::unknown:
        case type_id::text:
        case type_id::jsonb:
            out.append(c.strings().at(row));
            return;
        case type_id::bytea:
            out += "\\x";
            for (char ch : c.strings().at(row)) {
                auto b = static_cast<unsigned char>(ch);
                out.push_back(k_hex[b >> 4]);
                out.push_back(k_hex[b & 0xf]);
            }
            return;
        case type_id::boolean:
            out.push_back(c.values<uint8_t>()[row] ? 't' : 'f');
            return;
        case type_id::int16:
            append_integer(c.values<int16_t>()[row], out);
            return;
        case type_id::int32:
            append_integer(c.values<int32_t>()[row], out);
            return;
        case type_id::int64:
            append_integer(c.values<int64_t>()[row], out);
            return;
        case type_id::float32:
            format_float32(c.values<float>()[row], out);
            return;
        case type_id::float64:
            format_float64(c.values<double>()[row], out);
            return;
        case type_id::numeric:
            format_decimal(c.values<decimal>()[row], out);
            return;
        case type_id::date:
            format_date(c.values<int32_t>()[row], out);
            return;
        case type_id::time:
            format_time(c.values<int64_t>()[row], out);
            return;
        case type_id::timestamp:
        case type_id::timestamptz:
            format_timestamp(c.values<int64_t>()[row], c.type().id == type_id::timestamptz, out);
            return;
        case type_id::interval:
            format_interval(c.values<interval_value>()[row], out);
            return;
    }
}

std::string format_text(const value& v) {
    SPATE_ASSERT(!v.is_null());
    column c(v.type());
    v.append_to(c);
    std::string out;
    format_text(c, 0, out);
    return out;
}

}  // namespace spate::sql
