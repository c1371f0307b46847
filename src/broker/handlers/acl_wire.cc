#include "broker/handlers/acl_wire.h"

namespace spate::broker::handlers {

namespace {

using security::acl_operation;
using security::pattern_type;
using security::permission_type;
using security::resource_type;

bool in(int8_t v, int8_t lo, int8_t hi) {
    return v >= lo && v <= hi;
}

// Kafka's resource types (from `lo`) and Spate's SUBJECT.
bool known_type(int8_t v, int8_t lo) {
    return in(v, lo, 7) || v == static_cast<int8_t>(resource_type::subject);
}

}  // namespace

security::acl_binding binding_of(int8_t type, const std::string& name, int8_t pattern,
                                 const std::string& principal, const std::string& host,
                                 int8_t operation, int8_t permission) {
    // Out-of-range codes become UNKNOWN, which security::validate refuses.
    return {
        {known_type(type, 0) ? resource_type(type) : resource_type::unknown, name,
         in(pattern, 0, 4) ? pattern_type(pattern) : pattern_type::unknown},
        {principal, host, in(operation, 0, 14) ? acl_operation(operation) : acl_operation::unknown,
         in(permission, 0, 3) ? permission_type(permission) : permission_type::unknown}};
}

result<security::acl_filter> filter_of(int8_t type, const std::optional<std::string>& name,
                                       int8_t pattern, const std::optional<std::string>& principal,
                                       const std::optional<std::string>& host, int8_t operation,
                                       int8_t permission) {
    if (!known_type(type, 1))
        return make_error(errc::invalid_argument, "unknown resource type filter");
    if (!in(pattern, 1, 4))
        return make_error(errc::invalid_argument, "unknown pattern type filter");
    if (!in(operation, 1, 14))
        return make_error(errc::invalid_argument, "unknown operation filter");
    if (!in(permission, 1, 3))
        return make_error(errc::invalid_argument, "unknown permission type filter");
    security::acl_filter f;
    f.resource.type = resource_type(type);
    f.resource.name = name;
    f.resource.pattern = pattern_type(pattern);
    f.entry.principal = principal;
    f.entry.host = host;
    f.entry.operation = acl_operation(operation);
    f.entry.permission = permission_type(permission);
    return f;
}

}  // namespace spate::broker::handlers
