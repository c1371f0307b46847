#include "security/acl_codec.h"

#include <nlohmann/json.hpp>
#include <optional>

namespace spate::security {

namespace {

using json = nlohmann::json;

constexpr int k_format_version = 1;

error malformed(const std::string& why) {
    return make_error(errc::corrupt, "ACL record: " + why);
}

// Name -> code by scanning the codes' names (small enums).
template <typename E, typename NameOf>
std::optional<E> by_name(std::string_view name, int last, NameOf name_of) {
    for (int code = 0; code <= last; ++code)
        if (name == name_of(E(code))) return E(code);
    return std::nullopt;
}

std::optional<resource_type> resource_type_by_name(std::string_view name) {
    if (name == kafka::protocol::resource_type_name(resource_type::subject))
        return resource_type::subject;
    return by_name<resource_type>(name, 7, kafka::protocol::resource_type_name);
}

}  // namespace

std::string encode_acl_key(const resource_pattern& p) {
    return json{{"type", kafka::protocol::resource_type_name(p.type)},
                {"pattern", pattern_type_name(p.pattern)},
                {"name", p.name}}
        .dump();
}

std::string encode_acl_entries(const std::vector<access_entry>& entries) {
    json list = json::array();
    for (const auto& e : entries)
        list.push_back({{"principal", e.principal},
                        {"host", e.host},
                        {"operation", kafka::protocol::acl_operation_name(e.operation)},
                        {"permission", permission_type_name(e.permission)}});
    return json{{"version", k_format_version}, {"entries", list}}.dump();
}

result<resource_pattern> decode_acl_key(std::string_view key) {
    json j = json::parse(key, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return malformed("key is not a JSON object");
    auto type = resource_type_by_name(j.value("type", ""));
    auto pattern = by_name<pattern_type>(j.value("pattern", ""), 4, pattern_type_name);
    if (!type || !pattern || !j.contains("name") || !j["name"].is_string())
        return malformed("key needs type, pattern and name");
    resource_pattern p{*type, j["name"].get<std::string>(), *pattern};
    // Any valid entry: the key alone is checked here.
    auto s = validate({p, {"User:x", "*", acl_operation::read, permission_type::allow}});
    if (!s.ok()) return malformed(s.err().message);
    return p;
}

result<std::vector<access_entry>> decode_acl_entries(const resource_pattern& p,
                                                     std::string_view value) {
    json j = json::parse(value, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return malformed("value is not a JSON object");
    if (j.value("version", 0) != k_format_version) return malformed("unknown version");
    if (!j.contains("entries") || !j["entries"].is_array()) return malformed("entries missing");
    std::vector<access_entry> out;
    for (const auto& e : j["entries"]) {
        if (!e.is_object()) return malformed("an entry is not an object");
        auto op = by_name<acl_operation>(e.value("operation", ""), 14,
                                         kafka::protocol::acl_operation_name);
        auto perm = by_name<permission_type>(e.value("permission", ""), 3, permission_type_name);
        if (!op || !perm) return malformed("unknown operation or permission");
        access_entry entry{e.value("principal", ""), e.value("host", ""), *op, *perm};
        if (auto s = validate({p, entry}); !s.ok()) return malformed(s.err().message);
        out.push_back(std::move(entry));
    }
    if (out.empty()) return malformed("no entries (a deletion is a tombstone)");
    return out;
}

}  // namespace spate::security
