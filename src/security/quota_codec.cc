#include "security/quota_codec.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace spate::security {

namespace {

using json = nlohmann::json;

constexpr int k_quota_format_version = 1;

error bad_quota_record(const std::string& why) {
    return make_error(errc::corrupt, "quota record: " + why);
}

// An entity part: absent, null (the default) or a name.
json part_json(const std::optional<std::string>& name) {
    if (*name == k_default_entity) return nullptr;
    return *name;
}

result<std::optional<std::string>> part_of(const json& j, const char* type) {
    auto it = j.find(type);
    if (it == j.end()) return std::optional<std::string>();
    if (it->is_null()) return std::optional<std::string>(k_default_entity);
    if (!it->is_string()) return bad_quota_record(std::string(type) + " is not a string");
    auto name = it->get<std::string>();
    if (name == k_default_entity) return bad_quota_record("a name may not be <default>");
    return std::optional<std::string>(std::move(name));
}

}  // namespace

std::string encode_quota_key(const quota_entity& e) {
    json j = json::object();
    if (e.user) j[k_user_entity_type] = part_json(e.user);
    if (e.client_id) j[k_client_entity_type] = part_json(e.client_id);
    return j.dump();
}

std::string encode_quota_values(const quota_values& v) {
    json quotas = json::object();
    for (const auto& [k, value] : v)
        quotas[quota_kind_name(k)] = value;
    return json{{"version", k_quota_format_version}, {"quotas", quotas}}.dump();
}

result<quota_entity> decode_quota_key(std::string_view key) {
    auto j = json::parse(key, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad_quota_record("key is not a JSON object");
    for (const auto& [name, _] : j.items())
        if (name != k_user_entity_type && name != k_client_entity_type)
            return bad_quota_record("unknown entity type " + name);
    quota_entity e;
    auto user = part_of(j, k_user_entity_type);
    if (!user.ok()) return user.err();
    auto client = part_of(j, k_client_entity_type);
    if (!client.ok()) return client.err();
    e.user = std::move(*user);
    e.client_id = std::move(*client);
    if (!e.user && !e.client_id) return bad_quota_record("an entity without parts");
    return e;
}

result<quota_values> decode_quota_values(std::string_view value) {
    auto j = json::parse(value, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad_quota_record("value is not a JSON object");
    auto version = j.find("version");
    if (version == j.end() || !version->is_number_integer() ||
        version->get<int>() != k_quota_format_version)
        return bad_quota_record("unknown format version");
    auto quotas = j.find("quotas");
    if (quotas == j.end() || !quotas->is_object()) return bad_quota_record("no quotas object");
    quota_values out;
    for (const auto& [name, v] : quotas->items()) {
        auto k = quota_kind_of(name);
        if (!k) return bad_quota_record("unknown quota " + name);
        if (!v.is_number()) return bad_quota_record(name + " is not a number");
        double d = v.get<double>();
        if (!std::isfinite(d) || d < 0) return bad_quota_record(name + " is out of range");
        out[*k] = d;
    }
    return out;
}

}  // namespace spate::security
