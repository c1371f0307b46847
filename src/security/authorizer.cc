#include "security/authorizer.h"

#include <algorithm>
#include <mutex>

namespace spate::security {

namespace {

using op = acl_operation;

// Operations whose ALLOW grants `requested` (besides itself and ALL).
bool implies(acl_operation granted, acl_operation requested) {
    if (granted == requested || granted == op::all) return true;
    if (requested == op::describe)
        return granted == op::read || granted == op::write || granted == op::del ||
               granted == op::alter;
    if (requested == op::describe_configs) return granted == op::alter_configs;
    return false;
}

bool entry_applies(const access_entry& e, const identity& who) {
    return (e.principal == who.principal || e.principal == k_wildcard_principal) &&
           (e.host == who.host || e.host == k_wildcard);
}

}  // namespace

std::vector<acl_operation> operations_of(resource_type type) {
    // Kafka's per-type sets live with the wire vocabulary (kafka/protocol/acl.h).
    const int32_t bits = kafka::protocol::supported_operations_bits(type);
    std::vector<acl_operation> out;
    for (int code = 0; code < 32; ++code)
        if (bits & (int32_t(1) << code)) out.push_back(acl_operation(code));
    return out;
}

authorizer::authorizer(authorizer_config config) : _config(std::move(config)) {}

bool authorizer::is_super_user(std::string_view principal) const {
    return std::find(_config.super_users.begin(), _config.super_users.end(), principal) !=
           _config.super_users.end();
}

template <typename Fn>
void authorizer::for_each_applying(resource_type type, std::string_view name, Fn&& fn) const {
    auto visit = [&](std::string_view n, pattern_type p) {
        auto it = _acls.find(resource_pattern{type, std::string(n), p});
        if (it != _acls.end()) fn(it->second);
    };
    visit(name, pattern_type::literal);
    if (name != k_wildcard) visit(k_wildcard, pattern_type::literal);
    for (size_t len = 1; len <= name.size(); ++len)
        visit(name.substr(0, len), pattern_type::prefixed);
}

bool authorizer::allowed(const identity& who, acl_operation requested, resource_type type,
                         std::string_view name) const {
    bool any_acl = false, denied = false, granted = false;
    for_each_applying(type, name, [&](const std::set<access_entry>& entries) {
        any_acl = any_acl || !entries.empty();
        for (const auto& e : entries) {
            if (!entry_applies(e, who)) continue;
            if (e.permission == permission_type::deny &&
                (e.operation == requested || e.operation == op::all))
                denied = true;
            if (e.permission == permission_type::allow && implies(e.operation, requested))
                granted = true;
        }
    });
    if (!any_acl) return _config.allow_everyone_if_no_acl_found;
    return !denied && granted;
}

bool authorizer::authorize(const identity& who, acl_operation requested, resource_type type,
                           std::string_view name) const {
    if (is_super_user(who.principal)) return true;
    std::shared_lock lock(_mutex);
    return allowed(who, requested, type, name);
}

int32_t authorizer::authorized_operations(const identity& who, resource_type type,
                                          std::string_view name) const {
    bool super = is_super_user(who.principal);
    std::shared_lock lock(_mutex);
    int32_t bits = 0;
    for (acl_operation o : operations_of(type))
        if (super || allowed(who, o, type, name)) bits |= int32_t(1) << int(o);
    return bits;
}

std::vector<status> authorizer::create(const std::vector<acl_binding>& bindings) {
    std::vector<status> out;
    out.reserve(bindings.size());
    std::unique_lock lock(_mutex);
    for (const auto& b : bindings) {
        auto s = validate(b);
        if (s.ok()) _acls[b.resource].insert(b.entry);
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<acl_binding> authorizer::remove(const acl_filter& filter) {
    std::vector<acl_binding> removed;
    std::unique_lock lock(_mutex);
    for (auto it = _acls.begin(); it != _acls.end();) {
        auto& entries = it->second;
        for (auto e = entries.begin(); e != entries.end();) {
            acl_binding b{it->first, *e};
            if (filter.matches(b)) {
                removed.push_back(std::move(b));
                e = entries.erase(e);
            } else {
                ++e;
            }
        }
        it = entries.empty() ? _acls.erase(it) : std::next(it);
    }
    return removed;
}

std::vector<acl_binding> authorizer::describe(const acl_filter& filter) const {
    std::vector<acl_binding> out;
    std::shared_lock lock(_mutex);
    for (const auto& [pattern, entries] : _acls)
        for (const auto& e : entries)
            if (acl_binding b{pattern, e}; filter.matches(b)) out.push_back(std::move(b));
    return out;
}

void authorizer::set(const resource_pattern& pattern, std::vector<access_entry> entries) {
    std::unique_lock lock(_mutex);
    if (entries.empty()) {
        _acls.erase(pattern);
        return;
    }
    _acls[pattern] = std::set<access_entry>(entries.begin(), entries.end());
}

std::vector<access_entry> authorizer::entries(const resource_pattern& pattern) const {
    std::shared_lock lock(_mutex);
    auto it = _acls.find(pattern);
    if (it == _acls.end()) return {};
    return {it->second.begin(), it->second.end()};
}

}  // namespace spate::security
