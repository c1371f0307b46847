#include "broker/access_control.h"

#include <algorithm>
#include <map>

#include "base/log.h"
#include "storage/config.h"

namespace spate::broker {

namespace {

security::authorizer_config authorizer_config_of(const authz_settings& c) {
    return {.super_users = c.super_users, .allow_everyone_if_no_acl_found = c.allow_everyone()};
}

const security::acl_filter k_every_acl{};

}  // namespace

security::identity identity_of(const net::connection_info& conn) {
    return {conn.user.to_string(), conn.peer_address};
}

std::string resource_text(const security::resource_pattern& p) {
    return std::string(kafka::protocol::resource_type_name(p.type)) + ":" +
           security::pattern_type_name(p.pattern) + ":" + p.name;
}

access_control::access_control(const authz_settings& config, storage::log_manager& logs)
    : _authorizer(authorizer_config_of(config))
    , _allow_everyone(config.allow_everyone())
    , _log(logs) {}

result<std::unique_ptr<access_control>> access_control::open(const authz_settings& config,
                                                             storage::log_manager& logs) {
    auto ac = std::make_unique<access_control>(config, logs);
    if (!config.audit_log_file.empty()) {
        auto audit = security::audit_log::open(config.audit_log_file);
        if (!audit.ok()) return audit.err();
        ac->_audit = std::move(*audit);
    }
    auto s = ac->_log.load_into(ac->_authorizer);
    if (!s.ok())
        return make_error(s.err().code, std::string("reading ACLs from ") + k_acls_topic + ": " +
                                            s.err().message);
    ac->note_change();
    return ac;
}

void access_control::note_change() {
    _no_acls.store(_authorizer.describe(k_every_acl).empty(), std::memory_order_release);
}

bool access_control::allowed(const net::connection_info& conn, security::acl_operation op,
                             security::resource_type type, std::string_view name) const {
    if (_allow_everyone && _no_acls.load(std::memory_order_acquire)) return true;
    return _authorizer.authorize(identity_of(conn), op, type, name);
}

bool access_control::authorize(const net::connection_info& conn, security::acl_operation op,
                               security::resource_type type, std::string_view name,
                               std::string_view api) {
    if (allowed(conn, op, type, name)) return true;
    if (_audit)
        _audit->record({.kind = security::audit_kind::denied,
                        .success = false,
                        .principal = conn.user.to_string(),
                        .host = conn.peer_address,
                        .listener = conn.listener,
                        .operation = kafka::protocol::acl_operation_name(op),
                        .resource = std::string(kafka::protocol::resource_type_name(type)) + ":" +
                                    std::string(name),
                        .detail = std::string(api)});
    return false;
}

int32_t access_control::authorized_operations(const net::connection_info& conn,
                                              security::resource_type type,
                                              std::string_view name) const {
    if (_allow_everyone && _no_acls.load(std::memory_order_acquire))
        return kafka::protocol::supported_operations_bits(type);
    return _authorizer.authorized_operations(identity_of(conn), type, name);
}

bool access_control::may_write_some_topic(const net::connection_info& conn) const {
    if (_allow_everyone && _no_acls.load(std::memory_order_acquire)) return true;
    const auto who = identity_of(conn);
    if (_authorizer.is_super_user(who.principal)) return true;
    security::acl_filter topics;
    topics.resource.type = security::resource_type::topic;
    auto bindings = _authorizer.describe(topics);
    if (bindings.empty()) return _allow_everyone;
    for (const auto& b : bindings) {
        const auto& e = b.entry;
        if (e.permission != security::permission_type::allow) continue;
        if (e.operation != security::acl_operation::write &&
            e.operation != security::acl_operation::all)
            continue;
        if (e.principal != who.principal && e.principal != security::k_wildcard_principal) continue;
        if (e.host != who.host && e.host != security::k_wildcard) continue;
        if (_authorizer.authorize(who, security::acl_operation::write,
                                  security::resource_type::topic, b.resource.name))
            return true;
    }
    return false;
}

void access_control::audit_change(const net::connection_info& conn, const security::acl_binding& b,
                                  const char* what, bool applied, const std::string& detail) {
    if (!_audit) return;
    std::string d = std::string(what) + " " + b.entry.principal + " host " + b.entry.host + " " +
                    security::permission_type_name(b.entry.permission) + " " +
                    kafka::protocol::acl_operation_name(b.entry.operation);
    if (!detail.empty()) d += ": " + detail;
    _audit->record({.kind = security::audit_kind::acl_change,
                    .success = applied,
                    .principal = conn.user.to_string(),
                    .host = conn.peer_address,
                    .listener = conn.listener,
                    .operation = kafka::protocol::acl_operation_name(b.entry.operation),
                    .resource = resource_text(b.resource),
                    .detail = std::move(d)});
}

std::vector<status> access_control::create(const net::connection_info& conn,
                                           const std::vector<security::acl_binding>& bindings) {
    std::vector<status> out(bindings.size());
    std::lock_guard lock(_change_mu);
    // The new entry set of every pattern a valid binding adds to.
    std::map<security::resource_pattern, std::vector<security::access_entry>> changed;
    for (size_t i = 0; i < bindings.size(); ++i) {
        out[i] = security::validate(bindings[i]);
        if (!out[i].ok()) continue;
        auto [it, fresh] = changed.try_emplace(bindings[i].resource);
        if (fresh) it->second = _authorizer.entries(bindings[i].resource);
        auto& entries = it->second;
        if (std::find(entries.begin(), entries.end(), bindings[i].entry) == entries.end())
            entries.push_back(bindings[i].entry);
    }
    std::vector<acl_log::pattern_entries> records(changed.begin(), changed.end());
    auto stored = _log.write(records);
    if (stored.ok())
        for (auto& [pattern, entries] : records)
            _authorizer.set(pattern, std::move(entries));
    else
        logging::get("broker").warn("storing ACLs failed: {}", stored.err().to_string());
    for (size_t i = 0; i < bindings.size(); ++i) {
        if (!out[i].ok()) {
            audit_change(conn, bindings[i], "create", false, out[i].err().message);
            continue;
        }
        if (!stored.ok()) out[i] = stored;
        audit_change(conn, bindings[i], "create", stored.ok(),
                     stored.ok() ? "" : stored.err().message);
    }
    note_change();
    return out;
}

std::vector<result<std::vector<security::acl_binding>>> access_control::remove(
    const net::connection_info& conn, const std::vector<security::acl_filter>& filters) {
    std::vector<result<std::vector<security::acl_binding>>> out;
    std::lock_guard lock(_change_mu);
    for (const auto& f : filters) {
        auto matched = _authorizer.describe(f);
        std::map<security::resource_pattern, std::vector<security::access_entry>> changed;
        for (const auto& b : matched) {
            auto [it, fresh] = changed.try_emplace(b.resource);
            if (fresh) it->second = _authorizer.entries(b.resource);
            std::erase(it->second, b.entry);
        }
        std::vector<acl_log::pattern_entries> records(changed.begin(), changed.end());
        auto stored = _log.write(records);
        if (!stored.ok()) {
            logging::get("broker").warn("storing ACLs failed: {}", stored.err().to_string());
            out.emplace_back(stored.err());
            continue;
        }
        for (auto& [pattern, entries] : records)
            _authorizer.set(pattern, std::move(entries));
        for (const auto& b : matched)
            audit_change(conn, b, "delete", true, "");
        out.emplace_back(std::move(matched));
    }
    note_change();
    return out;
}

}  // namespace spate::broker
