#include "sql/format/scalar.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "sql/types/text_detail.h"
#include "sql/types/text_io.h"

namespace spate::sql::format_detail {

namespace {

using namespace text_detail;
using kind = scalar::kind;

const char* kind_name(kind k) {
    switch (k) {
        case kind::null:
            return "null";
        case kind::boolean:
            return "boolean";
        case kind::integer:
        case kind::unsigned64:
            return "integer";
        case kind::float32:
        case kind::float64:
            return "floating-point number";
        case kind::numeric:
            return "decimal";
        case kind::text:
            return "string";
        case kind::bytes:
            return "bytes";
        case kind::date:
            return "date";
        case kind::time:
            return "time";
        case kind::timestamp:
        case kind::timestamptz:
            return "timestamp";
        case kind::json:
            return "nested value";
    }
    return "value";
}

sql_error mismatch(const scalar& v, const data_type& t) {
    return make_error(sql_errc::datatype_mismatch,
                      "expected " + type_display(t) + ", got " + kind_name(v.k));
}

sql_error out_of_range(const scalar& v, std::string_view type) {
    std::string text;
    append_scalar_text(v, text);
    return make_error(sql_errc::numeric_value_out_of_range,
                      "value " + text + " is out of range for type " + std::string(type));
}

void append_int(int64_t v, std::string& out) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, p);
}

void append_hex(std::string_view bytes, std::string& out) {
    static const char* k_hex = "0123456789abcdef";
    out += "\\x";
    for (unsigned char c : bytes) {
        out.push_back(k_hex[c >> 4]);
        out.push_back(k_hex[c & 15]);
    }
}

// The value as an int128 when it is integral (integers, whole decimals).
bool integral(const scalar& v, __int128& out) {
    switch (v.k) {
        case kind::integer:
            out = v.i;
            return true;
        case kind::unsigned64:
            out = static_cast<__int128>(v.u);
            return true;
        case kind::numeric: {
            __int128 x = v.dec.unscaled;
            for (int32_t s = 0; s < v.dec.scale; ++s) {
                if (x % 10 != 0) return false;
                x /= 10;
            }
            out = x;
            return true;
        }
        default:
            return false;
    }
}

template <typename T>
sql_status push_integer(const scalar& v, column& out, std::string_view type) {
    __int128 x = 0;
    if (!integral(v, x)) return mismatch(v, out.type());
    if (x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max())
        return out_of_range(v, type);
    out.push<T>(static_cast<T>(x));
    return {};
}

sql_status store_integer(const scalar& v, column& out) {
    if (v.k == kind::text) return parse_text(v.s, out.type(), out);
    switch (out.type().id) {
        case type_id::int16:
            return push_integer<int16_t>(v, out, "smallint");
        case type_id::int32:
            return push_integer<int32_t>(v, out, "integer");
        default:
            return push_integer<int64_t>(v, out, "bigint");
    }
}

sql_status store_float(const scalar& v, column& out, std::string& scratch) {
    bool single = out.type().id == type_id::float32;
    double d = 0;
    switch (v.k) {
        case kind::integer:
            d = static_cast<double>(v.i);
            break;
        case kind::unsigned64:
            d = static_cast<double>(v.u);
            break;
        case kind::float32:
        case kind::float64:
            d = v.d;
            break;
        case kind::numeric:
        case kind::text:
            scratch.clear();
            append_scalar_text(v, scratch);
            return parse_text(scratch, out.type(), out);
        default:
            return mismatch(v, out.type());
    }
    if (single) {
        out.push<float>(static_cast<float>(d));
    } else {
        out.push<double>(d);
    }
    return {};
}

sql_status store_numeric(const scalar& v, column& out, std::string& scratch) {
    decimal d;
    switch (v.k) {
        case kind::integer:
            d.unscaled = v.i;
            break;
        case kind::unsigned64:
            d.unscaled = static_cast<__int128>(v.u);
            break;
        case kind::numeric:
            d = v.dec;
            break;
        case kind::float32:
        case kind::float64:
        case kind::text:
            scratch.clear();
            append_scalar_text(v, scratch);
            return parse_text(scratch, out.type(), out);
        default:
            return mismatch(v, out.type());
    }
    if (auto st = fit_numeric(d, out.type()); !st) return st;
    out.push<decimal>(d);
    return {};
}

sql_status store_temporal(const scalar& v, column& out, std::string& scratch) {
    type_id t = out.type().id;
    bool timestamp = t == type_id::timestamp || t == type_id::timestamptz;
    switch (v.k) {
        case kind::text:
            return parse_text(v.s, out.type(), out);
        case kind::date:
            if (t == type_id::date) {
                out.push<int32_t>(static_cast<int32_t>(v.i));
                return {};
            }
            if (!timestamp) break;
            out.push<int64_t>(v.i * k_micros_per_day);
            return {};
        case kind::time:
            if (t != type_id::time) break;
            out.push<int64_t>(v.i);
            return {};
        case kind::timestamp:
        case kind::timestamptz:
            if (timestamp) {
                out.push<int64_t>(v.i);
                return {};
            }
            scratch.clear();
            append_scalar_text(v, scratch);
            return parse_text(scratch, out.type(), out);
        case kind::integer: {
            if (!timestamp) break;
            int64_t micros = 0;
            if (__builtin_mul_overflow(v.i, int64_t{1000}, &micros))
                return make_error(sql_errc::datetime_field_overflow, "timestamp out of range");
            out.push<int64_t>(micros);
            return {};
        }
        default:
            break;
    }
    return mismatch(v, out.type());
}

}  // namespace

void append_scalar_text(const scalar& v, std::string& out) {
    switch (v.k) {
        case kind::null:
            return;
        case kind::boolean:
            out += v.i ? "true" : "false";
            return;
        case kind::integer:
            append_int(v.i, out);
            return;
        case kind::unsigned64:
            append_u128(v.u, out);
            return;
        case kind::float32:
            format_float32(static_cast<float>(v.d), out);
            return;
        case kind::float64:
            format_float64(v.d, out);
            return;
        case kind::numeric:
            format_decimal(v.dec, out);
            return;
        case kind::text:
        case kind::json:
            out.append(v.s);
            return;
        case kind::bytes:
            append_hex(v.s, out);
            return;
        case kind::date:
            format_date(static_cast<int32_t>(v.i), out);
            return;
        case kind::time:
            format_time(v.i, out);
            return;
        case kind::timestamp:
        case kind::timestamptz:
            format_timestamp(v.i, v.k == kind::timestamptz, out);
            return;
    }
}

void append_scalar_json(const scalar& v, std::string& out) {
    switch (v.k) {
        case kind::null:
            out += "null";
            return;
        case kind::boolean:
        case kind::integer:
        case kind::unsigned64:
        case kind::numeric:
        case kind::json:
            append_scalar_text(v, out);
            return;
        case kind::float32:
        case kind::float64:
            if (std::isfinite(v.d)) {
                append_scalar_text(v, out);
                return;
            }
            break;
        case kind::text:
            append_json_string(v.s, out);
            return;
        default:
            break;
    }
    std::string text;
    append_scalar_text(v, text);
    append_json_string(text, out);
}

sql_status store_scalar(const scalar& v, column& out, std::string& scratch) {
    if (v.k == kind::null) {
        out.push_null();
        return {};
    }
    const data_type& t = out.type();
    switch (t.id) {
        case type_id::boolean:
            if (v.k == kind::boolean) {
                out.push<uint8_t>(v.i ? 1 : 0);
                return {};
            }
            if (v.k == kind::text) return parse_text(v.s, t, out);
            return mismatch(v, t);
        case type_id::int16:
        case type_id::int32:
        case type_id::int64:
            return store_integer(v, out);
        case type_id::float32:
        case type_id::float64:
            return store_float(v, out, scratch);
        case type_id::numeric:
            return store_numeric(v, out, scratch);
        case type_id::bytea:
            if (v.k == kind::bytes || v.k == kind::text) {
                out.push_string(v.s);
                return {};
            }
            return mismatch(v, t);
        case type_id::date:
        case type_id::time:
        case type_id::timestamp:
        case type_id::timestamptz:
            return store_temporal(v, out, scratch);
        case type_id::interval:
            if (v.k == kind::text) return parse_text(v.s, t, out);
            return mismatch(v, t);
        case type_id::jsonb:
            if (v.k == kind::text) return parse_text(v.s, t, out);  // JSON text
            scratch.clear();
            append_scalar_json(v, scratch);
            return parse_text(scratch, t, out);
        case type_id::text:
        case type_id::unknown:
            if (v.k == kind::text) {
                if (!is_valid_utf8(v.s))
                    return make_error(sql_errc::invalid_text_representation,
                                      "string is not valid UTF-8");
                return parse_text(v.s, t, out);
            }
            scratch.clear();
            append_scalar_text(v, scratch);
            return parse_text(scratch, t, out);
    }
    return mismatch(v, t);
}

}  // namespace spate::sql::format_detail
