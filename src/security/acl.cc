#include "security/acl.h"

namespace spate::security {

const char* pattern_type_name(pattern_type p) {
    switch (p) {
        case pattern_type::any:
            return "ANY";
        case pattern_type::match:
            return "MATCH";
        case pattern_type::literal:
            return "LITERAL";
        case pattern_type::prefixed:
            return "PREFIXED";
        case pattern_type::unknown:
            break;
    }
    return "UNKNOWN";
}

const char* permission_type_name(permission_type p) {
    switch (p) {
        case permission_type::any:
            return "ANY";
        case permission_type::deny:
            return "DENY";
        case permission_type::allow:
            return "ALLOW";
        case permission_type::unknown:
            break;
    }
    return "UNKNOWN";
}

namespace {

status invalid(const std::string& what) {
    return make_error(errc::invalid_argument, what);
}

bool concrete_resource(resource_type t) {
    return t == resource_type::topic || t == resource_type::group || t == resource_type::cluster ||
           t == resource_type::transactional_id || t == resource_type::delegation_token ||
           t == resource_type::user || t == resource_type::subject;
}

bool concrete_operation(acl_operation op) {
    return op != acl_operation::unknown && op != acl_operation::any &&
           int8_t(op) <= int8_t(acl_operation::describe_tokens);
}

}  // namespace

status validate(const acl_binding& b) {
    const auto& r = b.resource;
    const auto& e = b.entry;
    if (!concrete_resource(r.type)) return invalid("resource type must be a concrete type");
    if (r.pattern != pattern_type::literal && r.pattern != pattern_type::prefixed)
        return invalid("pattern type must be LITERAL or PREFIXED");
    if (r.name.empty()) return invalid("resource name must not be empty");
    if (r.type == resource_type::cluster &&
        (r.name != k_cluster_name || r.pattern != pattern_type::literal))
        return invalid("the cluster resource is the LITERAL name 'kafka-cluster'");
    size_t colon = e.principal.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == e.principal.size())
        return invalid("principal must be 'Type:name', got '" + e.principal + "'");
    if (e.host.empty()) return invalid("host must not be empty ('*' for every host)");
    if (!concrete_operation(e.operation)) return invalid("operation must be a concrete operation");
    if (e.permission != permission_type::allow && e.permission != permission_type::deny)
        return invalid("permission type must be ALLOW or DENY");
    return {};
}

bool applies_to(const resource_pattern& p, resource_type type, std::string_view name) {
    if (p.type != type) return false;
    switch (p.pattern) {
        case pattern_type::literal:
            return p.name == name || p.name == k_wildcard;
        case pattern_type::prefixed:
            return name.starts_with(p.name);
        default:
            return false;
    }
}

namespace {

bool resource_matches(const resource_filter& f, const resource_pattern& p) {
    if (f.type != resource_type::any && f.type != p.type) return false;
    switch (f.pattern) {
        case pattern_type::any:
            return !f.name || *f.name == p.name;
        case pattern_type::match:
            return !f.name || applies_to(p, p.type, *f.name);
        case pattern_type::literal:
        case pattern_type::prefixed:
            return f.pattern == p.pattern && (!f.name || *f.name == p.name);
        case pattern_type::unknown:
            break;
    }
    return false;
}

bool entry_matches(const entry_filter& f, const access_entry& e) {
    if (f.principal && *f.principal != e.principal) return false;
    if (f.host && *f.host != e.host) return false;
    if (f.operation != acl_operation::any && f.operation != e.operation) return false;
    return f.permission == permission_type::any || f.permission == e.permission;
}

}  // namespace

bool acl_filter::matches(const acl_binding& b) const {
    return resource_matches(resource, b.resource) && entry_matches(entry, b.entry);
}

}  // namespace spate::security
