#include "sql/format/avro_binding.h"

#include <cstdint>

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

// Walks a binary value by its schema without decoding it.
class bounds_check {
  public:
    explicit bounds_check(std::string_view p) : _p(p) {}

    sql_status value(const avro_node& n, int depth) {
        if (depth > 64) return bad_value("nested deeper than 64 levels");
        switch (n.kind) {
            case avro_kind::null:
                return {};
            case avro_kind::boolean:
                return skip(1);
            case avro_kind::int32:
            case avro_kind::int64:
            case avro_kind::enumeration: {
                int64_t v = 0;
                return varint(v);
            }
            case avro_kind::float32:
                return skip(4);
            case avro_kind::float64:
                return skip(8);
            case avro_kind::fixed:
                return skip(n.size);
            case avro_kind::bytes:
            case avro_kind::string: {
                int64_t len = 0;
                if (auto st = varint(len); !st.ok()) return st;
                if (len < 0) return bad_value("negative length");
                return skip(static_cast<uint64_t>(len));
            }
            case avro_kind::union_of: {
                int64_t b = 0;
                if (auto st = varint(b); !st.ok()) return st;
                if (b < 0 || static_cast<uint64_t>(b) >= n.children.size())
                    return bad_value("union branch " + std::to_string(b) + " out of range");
                return value(*n.children[static_cast<size_t>(b)], depth + 1);
            }
            case avro_kind::record:
                for (const avro_node* f : n.children)
                    if (auto st = value(*f, depth + 1); !st.ok()) return st;
                return {};
            case avro_kind::array:
            case avro_kind::map:
                return blocks(n, depth);
        }
        return {};
    }

    bool at_end() const { return _at == _p.size(); }

  private:
    sql_status blocks(const avro_node& n, int depth) {
        for (;;) {
            int64_t count = 0;
            if (auto st = varint(count); !st.ok()) return st;
            if (count == 0) return {};
            if (count < 0) {
                int64_t bytes = 0;  // a negative count is followed by the block's size
                if (auto st = varint(bytes); !st.ok()) return st;
                count = count == INT64_MIN ? count : -count;
            }
            // Every item takes at least one byte (a map key's length): a count
            // beyond the bytes left is malformed (and would make avro-c
            // allocate that many items).
            if (count < 0 || static_cast<uint64_t>(count) > _p.size() - _at)
                return bad_value("block count beyond the record's bytes");
            for (int64_t i = 0; i < count; ++i) {
                if (n.kind == avro_kind::map) {
                    avro_node key;
                    key.kind = avro_kind::string;
                    if (auto st = value(key, depth + 1); !st.ok()) return st;
                } else if (_at == _p.size()) {
                    return bad_value("block count beyond the record's bytes");
                }
                if (auto st = value(*n.items, depth + 1); !st.ok()) return st;
            }
        }
    }

    sql_status skip(uint64_t n) {
        if (n > _p.size() - _at) return bad_value("truncated record");
        _at += static_cast<size_t>(n);
        return {};
    }

    sql_status varint(int64_t& out) {
        uint64_t u = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (_at == _p.size()) return bad_value("truncated record");
            auto b = static_cast<uint8_t>(_p[_at++]);
            u |= static_cast<uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                out = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
                return {};
            }
        }
        return bad_value("varint longer than 10 bytes");
    }

    std::string_view _p;
    size_t _at = 0;
};

sql_result<scalar> bytes_scalar(avro_value_t& v, const avro_node& n) {
    const void* p = nullptr;
    size_t size = 0;
    int rc = n.kind == avro_kind::bytes ? avro_value_get_bytes(&v, &p, &size)
                                        : avro_value_get_fixed(&v, &p, &size);
    if (rc != 0) return bad_value(avro_error_text());
    if (n.logical == avro_logical::decimal) return decimal_scalar(p, size, n);
    scalar s;
    s.k = scalar::kind::bytes;
    s.s = std::string_view(static_cast<const char*>(p), size);
    return s;
}

sql_result<scalar> enum_scalar(avro_value_t& v, const avro_node& n) {
    int i = 0;
    if (avro_value_get_enum(&v, &i) != 0) return bad_value(avro_error_text());
    if (i < 0 || static_cast<size_t>(i) >= n.symbols.size())
        return bad_value("enum index " + std::to_string(i) + " out of range");
    scalar s;
    s.k = scalar::kind::text;
    s.s = n.symbols[static_cast<size_t>(i)];
    return s;
}

}  // namespace

sql_status avro_check_bounds(std::string_view payload, const avro_node& root) {
    bounds_check c(payload);
    if (auto st = c.value(root, 0); !st.ok()) return st;
    if (!c.at_end()) return bad_value("trailing bytes after the record");
    return {};
}

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
        case avro_kind::fixed:
            return bytes_scalar(v, n);
        case avro_kind::enumeration:
            return enum_scalar(v, n);
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
                    text_detail::append_json_string(n.kind == avro_kind::record ? n.field_names[i]
                                                    : key                       ? key
                                                                                : "",
                                                    out);
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
