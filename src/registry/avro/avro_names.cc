#include "registry/avro/avro_names.h"

#include <array>
#include <utility>

namespace spate::registry::avro {
namespace {

constexpr std::array<std::pair<std::string_view, kind>, 8> k_primitives{{
    {"null", kind::null_type},
    {"boolean", kind::boolean_type},
    {"int", kind::int_type},
    {"long", kind::long_type},
    {"float", kind::float_type},
    {"double", kind::double_type},
    {"bytes", kind::bytes_type},
    {"string", kind::string_type},
}};

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

}  // namespace

bool is_identifier(std::string_view s) {
    if (s.empty() || !is_letter(s[0])) return false;
    for (char c : s.substr(1)) {
        if (!is_letter(c) && !(c >= '0' && c <= '9')) return false;
    }
    return true;
}

bool is_full_name(std::string_view s) {
    while (true) {
        const size_t dot = s.find('.');
        if (!is_identifier(s.substr(0, dot))) return false;
        if (dot == std::string_view::npos) return true;
        s.remove_prefix(dot + 1);
    }
}

bool is_namespace(std::string_view s) {
    return s.empty() || is_full_name(s);
}

std::optional<kind> primitive_kind(std::string_view s) {
    for (const auto& [name, k] : k_primitives) {
        if (name == s) return k;
    }
    return std::nullopt;
}

std::string_view primitive_name(kind k) {
    for (const auto& [name, pk] : k_primitives) {
        if (pk == k) return name;
    }
    return {};
}

std::string qualify(std::string_view name, std::string_view space) {
    if (name.find('.') != std::string_view::npos || space.empty()) return std::string(name);
    std::string out(space);
    out += '.';
    out += name;
    return out;
}

std::string_view type_label(const node* n) {
    switch (resolve(n)->k) {
        case kind::null_type:
            return "NULL";
        case kind::boolean_type:
            return "BOOLEAN";
        case kind::int_type:
            return "INT";
        case kind::long_type:
            return "LONG";
        case kind::float_type:
            return "FLOAT";
        case kind::double_type:
            return "DOUBLE";
        case kind::bytes_type:
            return "BYTES";
        case kind::string_type:
            return "STRING";
        case kind::record:
            return "RECORD";
        case kind::enumeration:
            return "ENUM";
        case kind::array:
            return "ARRAY";
        case kind::map:
            return "MAP";
        case kind::union_type:
            return "UNION";
        case kind::fixed:
            return "FIXED";
        case kind::ref:
            break;
    }
    SPATE_ASSERT_MSG(false, "unresolved avro ref");
    return "";
}

}  // namespace spate::registry::avro
