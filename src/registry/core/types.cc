#include "registry/core/types.h"

#include <array>

namespace spate::registry {
namespace {

template <typename E, size_t N>
std::optional<E> find_name(const std::array<std::pair<E, std::string_view>, N>& table,
                           std::string_view s) {
    for (const auto& [value, name] : table) {
        if (name == s) return value;
    }
    return std::nullopt;
}

template <typename E, size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
    for (const auto& [value, name] : table) {
        if (value == e) return name;
    }
    SPATE_ASSERT_MSG(false, "enum value without a name");
    return {};
}

constexpr std::array<std::pair<schema_type, std::string_view>, 3> k_types{{
    {schema_type::avro, "AVRO"},
    {schema_type::json, "JSON"},
    {schema_type::protobuf, "PROTOBUF"},
}};

constexpr std::array<std::pair<compat_level, std::string_view>, 7> k_levels{{
    {compat_level::none, "NONE"},
    {compat_level::backward, "BACKWARD"},
    {compat_level::backward_transitive, "BACKWARD_TRANSITIVE"},
    {compat_level::forward, "FORWARD"},
    {compat_level::forward_transitive, "FORWARD_TRANSITIVE"},
    {compat_level::full, "FULL"},
    {compat_level::full_transitive, "FULL_TRANSITIVE"},
}};

constexpr std::array<std::pair<registry_mode, std::string_view>, 4> k_modes{{
    {registry_mode::readwrite, "READWRITE"},
    {registry_mode::readonly, "READONLY"},
    {registry_mode::readonly_override, "READONLY_OVERRIDE"},
    {registry_mode::import, "IMPORT"},
}};

}  // namespace

std::string_view schema_type_name(schema_type t) {
    return name_of(k_types, t);
}
std::optional<schema_type> parse_schema_type(std::string_view s) {
    return find_name(k_types, s);
}
std::string_view compat_level_name(compat_level c) {
    return name_of(k_levels, c);
}
std::optional<compat_level> parse_compat_level(std::string_view s) {
    return find_name(k_levels, s);
}
std::string_view mode_name(registry_mode m) {
    return name_of(k_modes, m);
}
std::optional<registry_mode> parse_mode(std::string_view s) {
    return find_name(k_modes, s);
}

qualified_subject split_context(std::string_view subject) {
    // ":.ctx:name" -> {".ctx", "name"}; anything else is in the default context.
    if (subject.size() > 2 && subject[0] == ':' && subject[1] == '.') {
        size_t end = subject.find(':', 1);
        if (end != std::string_view::npos) {
            return {std::string(subject.substr(1, end - 1)), std::string(subject.substr(end + 1))};
        }
    }
    return {".", std::string(subject)};
}

}  // namespace spate::registry
