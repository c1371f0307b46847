#include "security/credential_store.h"

#include <nlohmann/json.hpp>

namespace spate::security {

namespace {

using json = nlohmann::json;

constexpr int k_format_version = 1;

size_t key_size(scram_mechanism m) {
    return m == scram_mechanism::sha256 ? 32 : 64;
}

error malformed(const std::string& why) {
    return make_error(errc::corrupt, "user credentials record: " + why);
}

result<scram_credential> decode_one(const json& j) {
    if (!j.is_object()) return malformed("a credential is not an object");
    auto m = parse_scram_mechanism(j.value("mechanism", ""));
    if (!m) return malformed("unknown mechanism");
    scram_credential c;
    c.mechanism = *m;
    if (!j.contains("iterations") || !j["iterations"].is_number_integer())
        return malformed("iterations missing");
    int64_t iterations = j["iterations"].get<int64_t>();
    if (iterations < k_scram_min_iterations || iterations > k_scram_max_iterations)
        return malformed("iterations out of bounds");
    c.iterations = int32_t(iterations);
    for (auto [field, out] : {std::pair{"salt", &c.salt}, std::pair{"stored_key", &c.stored_key},
                              std::pair{"server_key", &c.server_key}}) {
        if (!j.contains(field) || !j[field].is_string())
            return malformed(std::string(field) + " missing");
        auto raw = base64_decode(j[field].get<std::string>());
        if (!raw.ok()) return malformed(std::string(field) + " is not base64");
        *out = std::move(raw).value();
    }
    if (c.salt.empty()) return malformed("empty salt");
    if (c.stored_key.size() != key_size(c.mechanism) ||
        c.server_key.size() != key_size(c.mechanism))
        return malformed("key length does not match the mechanism");
    return c;
}

}  // namespace

std::string encode_user_credentials(const user_credentials& creds) {
    json list = json::array();
    for (const auto& [m, c] : creds)
        list.push_back({{"mechanism", scram_mechanism_name(m)},
                        {"salt", base64_encode(c.salt)},
                        {"iterations", c.iterations},
                        {"stored_key", base64_encode(c.stored_key)},
                        {"server_key", base64_encode(c.server_key)}});
    return json{{"version", k_format_version}, {"credentials", list}}.dump();
}

result<user_credentials> decode_user_credentials(std::string_view value) {
    json j = json::parse(value, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return malformed("not a JSON object");
    if (j.value("version", 0) != k_format_version) return malformed("unknown version");
    if (!j.contains("credentials") || !j["credentials"].is_array())
        return malformed("credentials missing");
    user_credentials out;
    for (const auto& item : j["credentials"]) {
        auto c = decode_one(item);
        if (!c.ok()) return c.err();
        if (!out.emplace(c->mechanism, c.value()).second)
            return malformed("a mechanism appears twice");
    }
    if (out.empty()) return malformed("no credentials (a deletion is a tombstone)");
    return out;
}

std::optional<scram_credential> credential_store::find(const std::string& user,
                                                       scram_mechanism m) const {
    std::lock_guard lock(_mutex);
    auto u = _users.find(user);
    if (u == _users.end()) return std::nullopt;
    auto c = u->second.find(m);
    if (c == u->second.end()) return std::nullopt;
    return c->second;
}

std::vector<std::pair<scram_mechanism, int32_t>> credential_store::describe(
    const std::string& user) const {
    std::lock_guard lock(_mutex);
    std::vector<std::pair<scram_mechanism, int32_t>> out;
    if (auto u = _users.find(user); u != _users.end())
        for (const auto& [m, c] : u->second)
            out.emplace_back(m, c.iterations);
    return out;
}

std::vector<std::string> credential_store::users() const {
    std::lock_guard lock(_mutex);
    std::vector<std::string> out;
    for (const auto& [u, _] : _users)
        out.push_back(u);
    return out;
}

user_credentials credential_store::upsert(const std::string& user, scram_credential c) {
    std::lock_guard lock(_mutex);
    auto& creds = _users[user];
    creds[c.mechanism] = std::move(c);
    return creds;
}

result<user_credentials> credential_store::remove(const std::string& user, scram_mechanism m) {
    std::lock_guard lock(_mutex);
    auto u = _users.find(user);
    if (u == _users.end() || u->second.erase(m) == 0)
        return make_error(
            errc::not_found,
            "user " + user + " has no " + std::string(scram_mechanism_name(m)) + " credential");
    user_credentials left = u->second;
    if (left.empty()) _users.erase(u);
    return left;
}

status credential_store::apply(const std::string& user, std::optional<std::string_view> value) {
    if (!value) {
        std::lock_guard lock(_mutex);
        _users.erase(user);
        return {};
    }
    auto creds = decode_user_credentials(*value);
    if (!creds.ok()) return creds.err();
    std::lock_guard lock(_mutex);
    _users[user] = std::move(creds).value();
    return {};
}

namespace {

const scram_credential& decoy_credential() {
    static const scram_credential c =
        make_scram_credential(scram_mechanism::sha256, "", "", k_scram_min_iterations).value();
    return c;
}

}  // namespace

bool credential_store::check_password(const std::string& user, std::string_view password) const {
    bool found = false;
    for (auto m : {scram_mechanism::sha256, scram_mechanism::sha512}) {
        auto cred = find(user, m);
        found = found || cred.has_value();
        if (cred && verify_password(*cred, password)) return true;
    }
    // An unknown user costs the same hashing as a wrong password.
    if (!found) (void)verify_password(decoy_credential(), password);
    return false;
}

credential_lookup credential_store::lookup() const {
    return [this](const std::string& user, scram_mechanism m) { return find(user, m); };
}

}  // namespace spate::security
