// Casts between types: which casts each context allows, and their kernels.
// Float -> integer and numeric -> integer round half away from zero;
// NUMERIC(p,s) targets round to s and fail when more than p digits remain;
// VARCHAR(n) targets truncate in explicit casts and fail otherwise (unless
// only spaces are cut, as PostgreSQL).

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "sql/expr/kernels.h"
#include "sql/types/text_io.h"

namespace spate::sql {

namespace {

using detail::decimal_from_double;
using detail::decimal_rescale;

// A numeric-family (or boolean) value read from a column row.
struct num {
    enum { int_, float_, dec } kind = int_;
    int64_t i = 0;
    double f = 0;
    decimal d;
    bool from_float32 = false;
};

num read_num(const column& c, size_t row) {
    num n;
    switch (c.type().id) {
        case type_id::boolean:
            n.i = c.values<uint8_t>()[row];
            break;
        case type_id::int16:
            n.i = c.values<int16_t>()[row];
            break;
        case type_id::int32:
            n.i = c.values<int32_t>()[row];
            break;
        case type_id::int64:
            n.i = c.values<int64_t>()[row];
            break;
        case type_id::float32:
            n.kind = num::float_;
            n.f = c.values<float>()[row];
            n.from_float32 = true;
            break;
        case type_id::float64:
            n.kind = num::float_;
            n.f = c.values<double>()[row];
            break;
        default:
            n.kind = num::dec;
            n.d = c.values<decimal>()[row];
            break;
    }
    return n;
}

const char* int_range_message(type_id t) {
    if (t == type_id::int16) return "smallint out of range";
    if (t == type_id::int32) return "integer out of range";
    return "bigint out of range";
}

bool to_int64(const num& n, type_id to, int64_t& out, sql_error& e) {
    switch (n.kind) {
        case num::int_:
            out = n.i;
            return true;
        case num::float_: {
            double r = std::round(n.f);
            if (std::isnan(r) || r < -9.223372036854775808e18 || r >= 9.223372036854775808e18) {
                e = detail::out_of_range(int_range_message(to));
                return false;
            }
            out = static_cast<int64_t>(r);
            return true;
        }
        case num::dec: {
            decimal d = n.d;
            decimal_rescale(d, 0);
            if (d.unscaled < INT64_MIN || d.unscaled > INT64_MAX) {
                e = detail::out_of_range(int_range_message(to));
                return false;
            }
            out = static_cast<int64_t>(d.unscaled);
            return true;
        }
    }
    return false;
}

}  // namespace

// Rounds `d` to the scale of NUMERIC(p,s) `t` and checks its precision.
bool apply_numeric_typmod(decimal& d, const data_type& t, sql_error& e) {
    if (t.precision < 0) return true;
    int scale = std::max<int>(t.scale, 0);
    if (!decimal_rescale(d, scale) || detail::decimal_digits(d.unscaled) > t.precision) {
        e = detail::out_of_range("numeric field overflow");
        e.detail = "A field with precision " + std::to_string(t.precision) + ", scale " +
                   std::to_string(scale) + " must round to an absolute value less than " +
                   (t.precision == scale ? std::string("1")
                                         : "10^" + std::to_string(t.precision - scale)) +
                   ".";
        return false;
    }
    return true;
}

namespace {

bool write_num(const num& n, const data_type& to, column& out, sql_error& e) {
    switch (to.id) {
        case type_id::boolean:
            out.push<uint8_t>(n.i != 0);
            return true;
        case type_id::int16:
        case type_id::int32:
        case type_id::int64: {
            int64_t v;
            if (!to_int64(n, to.id, v, e)) return false;
            if (to.id == type_id::int16) {
                if (v < INT16_MIN || v > INT16_MAX) break;
                out.push<int16_t>(static_cast<int16_t>(v));
            } else if (to.id == type_id::int32) {
                if (v < INT32_MIN || v > INT32_MAX) break;
                out.push<int32_t>(static_cast<int32_t>(v));
            } else {
                out.push<int64_t>(v);
            }
            return true;
        }
        case type_id::float32:
        case type_id::float64: {
            double v = n.kind == num::int_     ? static_cast<double>(n.i)
                       : n.kind == num::float_ ? n.f
                                               : detail::decimal_to_double(n.d);
            if (to.id == type_id::float64) {
                out.push<double>(v);
                return true;
            }
            float f = static_cast<float>(v);
            if (std::isinf(f) && !std::isinf(v)) {
                e = detail::out_of_range("value out of range: overflow");
                return false;
            }
            out.push<float>(f);
            return true;
        }
        default: {  // numeric
            decimal d;
            if (n.kind == num::int_) {
                d = decimal{n.i, 0};
            } else if (n.kind == num::dec) {
                d = n.d;
            } else if (!decimal_from_double(n.f, d, n.from_float32 ? 6 : 15)) {
                e = detail::out_of_range(std::isnan(n.f)   ? "cannot convert NaN to numeric"
                                         : std::isinf(n.f) ? "cannot convert infinity to numeric"
                                                           : "value overflows numeric format");
                return false;
            }
            if (!apply_numeric_typmod(d, to, e)) return false;
            out.push<decimal>(d);
            return true;
        }
    }
    e = detail::out_of_range(int_range_message(to.id));
    return false;
}

cast_kernel_fn numeric_kernel(data_type to) {
    return [to](const column& in, column& out, const eval_context&) -> sql_status {
        sql_error e;
        for (size_t i = 0; i < in.size(); ++i) {
            if (in.is_null(i)) {
                out.push_null();
                continue;
            }
            if (!write_num(read_num(in, i), to, out, e)) return e;
        }
        return {};
    };
}

// Pushes `s` into a text column of type `to`, enforcing VARCHAR(n).
bool push_text(std::string_view s, const data_type& to, bool explicit_cast, column& out,
               sql_error& e) {
    if (to.varchar && to.precision >= 0 &&
        detail::utf8_length(s) > static_cast<size_t>(to.precision)) {
        size_t keep = detail::utf8_prefix(s, static_cast<size_t>(to.precision));
        if (!explicit_cast && s.substr(keep).find_first_not_of(' ') != std::string_view::npos) {
            e = make_error(
                sql_errc::string_data_right_truncation,
                "value too long for type character varying(" + std::to_string(to.precision) + ")");
            return false;
        }
        s = s.substr(0, keep);
    }
    out.push_string(s);
    return true;
}

cast_kernel_fn to_text_kernel(data_type to, bool explicit_cast) {
    return [to, explicit_cast](const column& in, column& out, const eval_context&) -> sql_status {
        std::string scratch;
        sql_error e;
        const bool strings = is_variable_width(in.type().id);
        for (size_t i = 0; i < in.size(); ++i) {
            if (in.is_null(i)) {
                out.push_null();
                continue;
            }
            std::string_view s;
            if (in.type().id == type_id::boolean) {
                s = in.values<uint8_t>()[i] ? "true" : "false";
            } else if (strings && in.type().id != type_id::bytea) {
                s = in.strings().at(i);
            } else {
                scratch.clear();
                format_text(in, i, scratch);
                s = scratch;
            }
            if (!push_text(s, to, explicit_cast, out, e)) return e;
        }
        return {};
    };
}

cast_kernel_fn from_text_kernel(data_type to) {
    return [to](const column& in, column& out, const eval_context&) -> sql_status {
        const data_type base = data_type::of(to.id);
        sql_error e;
        for (size_t i = 0; i < in.size(); ++i) {
            if (in.is_null(i)) {
                out.push_null();
                continue;
            }
            if (auto s = parse_text(in.strings().at(i), base, out); !s) return s.error();
            if (to.id == type_id::numeric &&
                !apply_numeric_typmod(out.values<decimal>().back(), to, e)) {
                return e;
            }
        }
        return {};
    };
}

const char* json_kind(std::string_view j) {
    size_t p = j.find_first_not_of(" \t\n\r");
    if (p == std::string_view::npos) return "null";
    switch (j[p]) {
        case '"':
            return "string";
        case '{':
            return "object";
        case '[':
            return "array";
        case 't':
        case 'f':
            return "boolean";
        case 'n':
            return "null";
        default:
            return "numeric";
    }
}

cast_kernel_fn from_jsonb_kernel(data_type to) {
    return [to](const column& in, column& out, const eval_context&) -> sql_status {
        sql_error e;
        const bool want_bool = to.id == type_id::boolean;
        for (size_t i = 0; i < in.size(); ++i) {
            if (in.is_null(i)) {
                out.push_null();
                continue;
            }
            std::string_view j = in.strings().at(i);
            std::string_view kind = json_kind(j);
            if (kind != (want_bool ? "boolean" : "numeric")) {
                return make_error(
                    sql_errc::invalid_parameter_value,
                    "cannot cast jsonb " + std::string(kind) + " to type " + type_name(to));
            }
            if (want_bool) {
                out.push<uint8_t>(kind == "boolean" && j.find('t') != std::string_view::npos);
                continue;
            }
            auto v = parse_value(j, data_type::of(type_id::numeric));
            if (!v) return v.error();
            num n;
            n.kind = num::dec;
            n.d = v.value().get<decimal>();
            if (!write_num(n, to, out, e)) return e;
        }
        return {};
    };
}

template <typename From, typename To, typename F>
cast_kernel_fn map_cast(F f) {
    return [f](const column& in, column& out, const eval_context&) -> sql_status {
        const column* args[] = {&in};
        return detail::map_values<To, From>(args, in.size(), out, [&f](To& r, sql_error&, From a) {
            r = f(a);
            return true;
        });
    };
}

// Casts among date, time, timestamp and timestamptz; empty when none.
cast_kernel_fn temporal_kernel(type_id from, type_id to) {
    const bool from_ts = from == type_id::timestamp || from == type_id::timestamptz;
    const bool to_ts = to == type_id::timestamp || to == type_id::timestamptz;
    if (from == type_id::date && to_ts) {
        return map_cast<int32_t, int64_t>([](int32_t d) { return d * k_micros_per_day; });
    }
    if (from_ts && to_ts) return map_cast<int64_t, int64_t>([](int64_t t) { return t; });
    if (from_ts && to == type_id::date) {
        return map_cast<int64_t, int32_t>(
            [](int64_t t) { return static_cast<int32_t>(detail::floor_div(t, k_micros_per_day)); });
    }
    if (from_ts && to == type_id::time) {
        return map_cast<int64_t, int64_t>([](int64_t t) {
            return t - detail::floor_div(t, k_micros_per_day) * k_micros_per_day;
        });
    }
    return {};
}

bool is_temporal(type_id t) {
    return t == type_id::date || t == type_id::time || t == type_id::timestamp ||
           t == type_id::timestamptz;
}

bool assignment_allowed(type_id from, type_id to) {
    if (is_numeric_family(from) && is_numeric_family(to)) return true;
    if (to == type_id::text) return true;
    if (from == type_id::timestamptz && to == type_id::timestamp) return true;
    return (from == type_id::timestamp || from == type_id::timestamptz) &&
           (to == type_id::date || to == type_id::time);
}

bool explicit_allowed(type_id from, type_id to) {
    if (from == type_id::text || to == type_id::text) return true;
    if (from == type_id::boolean && to == type_id::int32) return true;
    if (from == type_id::int32 && to == type_id::boolean) return true;
    if (from == type_id::jsonb && (to == type_id::boolean || is_numeric_family(to))) return true;
    return false;
}

sql_error cannot_cast(const data_type& from, const data_type& to) {
    return make_error(sql_errc::cannot_coerce,
                      "cannot cast type " + type_name(from) + " to " + type_name(to));
}

cast_kernel_fn same_type_kernel(const data_type& to, bool explicit_cast) {
    if (to.id == type_id::numeric && to.precision >= 0) return numeric_kernel(to);
    if (to.id == type_id::text && to.varchar && to.precision >= 0) {
        return to_text_kernel(to, explicit_cast);
    }
    return {};
}

}  // namespace

sql_result<cast_function> resolve_cast(const data_type& from, const data_type& to,
                                       cast_context ctx) {
    cast_function f{from, to, {}};
    const bool explicit_cast = ctx == cast_context::explicit_;
    if (from.id == to.id) {
        if (from != to) f.kernel = same_type_kernel(to, explicit_cast);
        return f;
    }
    bool allowed = can_cast_implicitly(from, to) ||
                   (ctx != cast_context::implicit && assignment_allowed(from.id, to.id)) ||
                   (explicit_cast && explicit_allowed(from.id, to.id));
    if (!allowed || to.id == type_id::unknown) return cannot_cast(from, to);
    const bool from_num = is_numeric_family(from.id) || from.id == type_id::boolean;
    const bool to_num = is_numeric_family(to.id) || to.id == type_id::boolean;
    if (from.id == type_id::jsonb && to.id != type_id::text) {
        f.kernel = from_jsonb_kernel(to);
    } else if (to.id == type_id::text) {
        f.kernel = to_text_kernel(to, explicit_cast);
    } else if (from.id == type_id::text || from.id == type_id::unknown) {
        f.kernel = from_text_kernel(to);
    } else if (from_num && to_num) {
        f.kernel = numeric_kernel(to);
    } else if (is_temporal(from.id) && is_temporal(to.id)) {
        f.kernel = temporal_kernel(from.id, to.id);
    }
    if (!f.kernel) return cannot_cast(from, to);
    return f;
}

}  // namespace spate::sql
