#include "sql/format/avro_binding.h"

#include "sql/types/text_detail.h"

namespace spate::sql::format_detail {

namespace {

sql_error bad_value(const std::string& what) {
    return make_error(sql_errc::invalid_text_representation, "invalid Avro value: " + what);
}

// A big-endian two's complement integer (Avro's decimal bytes).
sql_result<__int128> twos_complement(const uint8_t* p, size_t n) {
    if (n == 0) return __int128{0};
    bool negative = (p[0] & 0x80) != 0;
    size_t skip = 0;
    while (n - skip > 16 && p[skip] == (negative ? 0xff : 0x00))
        ++skip;
    if (n - skip > 16) return bad_value("decimal wider than 38 digits");
    unsigned __int128 v = negative ? ~static_cast<unsigned __int128>(0) : 0;
    for (size_t i = skip; i < n; ++i)
        v = (v << 8) | p[i];
    return static_cast<__int128>(v);
}

sql_result<scalar> decimal_scalar(const void* data, size_t size, const avro_node& n) {
    auto u = twos_complement(static_cast<const uint8_t*>(data), size);
    if (!u.ok()) return u.error();
    scalar s;
    s.k = scalar::kind::numeric;
    s.dec.unscaled = u.value();
    s.dec.scale = n.scale;
    return s;
}

sql_result<scalar> int_scalar(avro_value_t& v, const avro_node& n) {
    scalar s;
    int32_t i = 0;
    if (avro_value_get_int(&v, &i) != 0) return bad_value(avro_error_text());
    s.i = i;
    s.k = n.logical == avro_logical::date          ? scalar::kind::date
          : n.logical == avro_logical::time_millis ? scalar::kind::time
                                                   : scalar::kind::integer;
    if (n.logical == avro_logical::time_millis) s.i *= 1000;
    return s;
}

sql_result<scalar> long_scalar(avro_value_t& v, const avro_node& n) {
    scalar s;
    if (avro_value_get_long(&v, &s.i) != 0) return bad_value(avro_error_text());
    s.k = scalar::kind::integer;
    bool millis = false;
    switch (n.logical) {
        case avro_logical::time_micros:
            s.k = scalar::kind::time;
            break;
        case avro_logical::timestamp_millis:
            millis = true;
            [[fallthrough]];
        case avro_logical::timestamp_micros:
            s.k = scalar::kind::timestamptz;
            break;
        case avro_logical::local_timestamp_millis:
            millis = true;
            [[fallthrough]];
        case avro_logical::local_timestamp_micros:
            s.k = scalar::kind::timestamp;
            break;
        default:
            break;
    }
    if (millis && __builtin_mul_overflow(s.i, int64_t{1000}, &s.i))
        return make_error(sql_errc::datetime_field_overflow, "timestamp out of range");
    return s;
}

}  // namespace

std::string avro_error_text() {
    const char* e = avro_strerror();
    return e && *e ? e : "avro-c error";
}

sql_result<std::unique_ptr<avro_binding>> avro_binding::create(const registered_schema& s) {
    if (!s.references.empty())
        return make_error(sql_errc::feature_not_supported,
                          "Avro schema " + std::to_string(s.id) +
                              " has references, which SQL formats do not support yet");
    auto model = avro_model::parse(s.text);
    if (!model.ok()) return model.error();
    std::unique_ptr<avro_binding> b(new avro_binding(std::move(model.value())));
    if (avro_schema_from_json_length(s.text.data(), s.text.size(), &b->_schema) != 0) {
        b->_schema = nullptr;
        return make_error(sql_errc::invalid_parameter_value,
                          "invalid Avro schema " + std::to_string(s.id) + ": " + avro_error_text());
    }
    b->_iface = avro_generic_class_from_schema(b->_schema);
    if (!b->_iface || avro_generic_value_new(b->_iface, &b->_value) != 0) {
        b->_value.self = nullptr;
        return make_error(sql_errc::invalid_parameter_value,
                          "Avro schema " + std::to_string(s.id) + ": " + avro_error_text());
    }
    return b;
}

avro_binding::~avro_binding() {
    if (_value.self) avro_value_decref(&_value);
    if (_iface) avro_value_iface_decref(_iface);
    if (_schema) avro_schema_decref(_schema);
}

sql_result<scalar> avro_scalar(avro_value_t& v, const avro_node& n) {
    scalar s;
    switch (n.kind) {
        case avro_kind::null:
            return s;
        case avro_kind::boolean: {
            int b = 0;
            if (avro_value_get_boolean(&v, &b) != 0) return bad_value(avro_error_text());
            s.k = scalar::kind::boolean;
            s.i = b != 0;
            return s;
        }
        case avro_kind::int32:
            return int_scalar(v, n);
        case avro_kind::int64:
            return long_scalar(v, n);
        case avro_kind::float32: {
            float f = 0;
            if (avro_value_get_float(&v, &f) != 0) return bad_value(avro_error_text());
            s.k = scalar::kind::float32;
            s.d = f;
            return s;
        }
        case avro_kind::float64:
            if (avro_value_get_double(&v, &s.d) != 0) return bad_value(avro_error_text());
            s.k = scalar::kind::float64;
            return s;
        case avro_kind::string: {
            const char* p = nullptr;
            size_t size = 0;  // counts avro-c's terminating NUL
            if (avro_value_get_string(&v, &p, &size) != 0) return bad_value(avro_error_text());
            s.k = scalar::kind::text;
            s.s = std::string_view(p, size > 0 ? size - 1 : 0);
            return s;
        }
        case avro_kind::bytes:
        case avro_kind::fixed: {
            const void* p = nullptr;
            size_t size = 0;
            int rc = n.kind == avro_kind::bytes ? avro_value_get_bytes(&v, &p, &size)
                                                : avro_value_get_fixed(&v, &p, &size);
            if (rc != 0) return bad_value(avro_error_text());
            if (n.logical == avro_logical::decimal) return decimal_scalar(p, size, n);
            s.k = scalar::kind::bytes;
            s.s = std::string_view(static_cast<const char*>(p), size);
            return s;
        }
        case avro_kind::enumeration: {
            int i = 0;
            if (avro_value_get_enum(&v, &i) != 0) return bad_value(avro_error_text());
            if (i < 0 || static_cast<size_t>(i) >= n.symbols.size())
                return bad_value("enum index " + std::to_string(i) + " out of range");
            s.k = scalar::kind::text;
            s.s = n.symbols[static_cast<size_t>(i)];
            return s;
        }
        default:
            return make_error(sql_errc::internal_error, "avro_scalar of a nested value");
    }
}

sql_status append_avro_json(avro_value_t& v, const avro_node& n, std::string& out) {
    switch (n.kind) {
        case avro_kind::union_of: {
            int d = 0;
            avro_value_t branch;
            if (avro_value_get_discriminant(&v, &d) != 0 ||
                avro_value_get_current_branch(&v, &branch) != 0 || d < 0 ||
                static_cast<size_t>(d) >= n.children.size())
                return bad_value(avro_error_text());
            return append_avro_json(branch, *n.children[static_cast<size_t>(d)], out);
        }
        case avro_kind::record:
        case avro_kind::array:
        case avro_kind::map: {
            size_t count = 0;
            if (avro_value_get_size(&v, &count) != 0) return bad_value(avro_error_text());
            bool object = n.kind != avro_kind::array;
            out.push_back(object ? '{' : '[');
            for (size_t i = 0; i < count; ++i) {
                avro_value_t child;
                const char* key = nullptr;
                if (avro_value_get_by_index(&v, i, &child, &key) != 0)
                    return bad_value(avro_error_text());
                if (i > 0) out.push_back(',');
                if (object) {
                    text_detail::append_json_string(
                        n.kind == avro_kind::record ? n.field_names[i] : key ? key : "", out);
                    out.push_back(':');
                }
                const avro_node& c = n.kind == avro_kind::record ? *n.children[i] : *n.items;
                if (auto st = append_avro_json(child, c, out); !st.ok()) return st;
            }
            out.push_back(object ? '}' : ']');
            return {};
        }
        default: {
            auto s = avro_scalar(v, n);
            if (!s.ok()) return s.error();
            append_scalar_json(s.value(), out);
            return {};
        }
    }
}

}  // namespace spate::sql::format_detail
