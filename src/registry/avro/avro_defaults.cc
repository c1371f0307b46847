#include "registry/avro/avro_defaults.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "registry/avro/avro_names.h"

namespace spate::registry::avro {
namespace {

bool fits(const json& v, int64_t lo, int64_t hi) {
    if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(hi);
    if (!v.is_number_integer()) return false;
    const int64_t x = v.get<int64_t>();
    return x >= lo && x <= hi;
}

// Avro Java reads a string default of a float or double as a number.
bool is_floating(const json& v) {
    if (v.is_number()) return true;
    if (!v.is_string()) return false;
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty()) return false;
    char* end = nullptr;
    errno = 0;
    std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

bool is_symbol(const node* n, const json& v) {
    if (!v.is_string()) return false;
    for (const auto& s : n->symbols) {
        if (s == v.get_ref<const std::string&>()) return true;
    }
    return false;
}

std::string described(const node* n) {
    n = resolve(n);
    switch (n->k) {
        case kind::record:
            return "a valid record '" + n->full_name + "'";
        case kind::enumeration:
            return "a symbol of enum '" + n->full_name + "'";
        case kind::fixed:
            return "a valid fixed '" + n->full_name + "'";
        case kind::array:
            return "a valid array";
        case kind::map:
            return "a valid map";
        case kind::union_type:
            return described(n->branches.front()) + " (a union's default matches its first type)";
        default:
            return "a valid " + std::string(primitive_name(n->k));
    }
}

bool valid(const node* n, const json& v);

bool valid_record(const node* n, const json& v) {
    if (!v.is_object()) return false;
    for (const auto& f : n->fields) {
        auto it = v.find(f.name);
        if (it == v.end() ? !f.default_value.has_value() : !valid(f.type, *it)) return false;
    }
    return true;
}

bool valid(const node* n, const json& v) {
    n = resolve(n);
    switch (n->k) {
        case kind::null_type:
            return v.is_null();
        case kind::boolean_type:
            return v.is_boolean();
        case kind::int_type:
            return fits(v, std::numeric_limits<int32_t>::min(),
                        std::numeric_limits<int32_t>::max());
        case kind::long_type:
            return fits(v, std::numeric_limits<int64_t>::min(),
                        std::numeric_limits<int64_t>::max());
        case kind::float_type:
        case kind::double_type:
            return is_floating(v);
        case kind::bytes_type:
        case kind::string_type:
        case kind::fixed:
            return v.is_string();
        case kind::enumeration:
            return is_symbol(n, v);
        case kind::array:
            if (!v.is_array()) return false;
            for (const auto& e : v) {
                if (!valid(n->items, e)) return false;
            }
            return true;
        case kind::map:
            if (!v.is_object()) return false;
            for (const auto& e : v) {
                if (!valid(n->items, e)) return false;
            }
            return true;
        case kind::union_type:
            return valid(n->branches.front(), v);
        case kind::record:
            return valid_record(n, v);
        case kind::ref:
            break;
    }
    return false;
}

}  // namespace

std::optional<std::string> default_mismatch(const node* type, const json& value) {
    if (valid(type, value)) return std::nullopt;
    return described(type);
}

}  // namespace spate::registry::avro
