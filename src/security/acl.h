#pragma once

// Kafka's ACL model as values: resource patterns (LITERAL / PREFIXED), access
// control entries (principal, host, operation, ALLOW / DENY), bindings of the
// two, and the filters DescribeAcls / DeleteAcls match them with (ANY, MATCH).
// Wire codes are Kafka's (kafka/protocol/acl.h for operations and resource
// types; pattern and permission types here).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "kafka/protocol/acl.h"

namespace spate::security {

using kafka::protocol::acl_operation;
using kafka::protocol::resource_type;

enum class pattern_type : int8_t { unknown = 0, any = 1, match = 2, literal = 3, prefixed = 4 };
enum class permission_type : int8_t { unknown = 0, any = 1, deny = 2, allow = 3 };

const char* pattern_type_name(pattern_type p);
const char* permission_type_name(permission_type p);

// The name of the one cluster resource, and the wildcard that, as a LITERAL
// resource name, principal name or host, matches every one.
inline constexpr std::string_view k_cluster_name = "kafka-cluster";
inline constexpr std::string_view k_wildcard = "*";
inline constexpr std::string_view k_wildcard_principal = "User:*";

struct resource_pattern {
    resource_type type = resource_type::unknown;
    std::string name;
    pattern_type pattern = pattern_type::literal;

    auto operator<=>(const resource_pattern&) const = default;
};

struct access_entry {
    std::string principal;  // "Type:name", "User:*" for everyone
    std::string host = std::string(k_wildcard);
    acl_operation operation = acl_operation::unknown;
    permission_type permission = permission_type::unknown;

    auto operator<=>(const access_entry&) const = default;
};

struct acl_binding {
    resource_pattern resource;
    access_entry entry;

    auto operator<=>(const acl_binding&) const = default;
};

// A binding as CreateAcls may store it: a concrete resource type, LITERAL or
// PREFIXED, a non-empty name (the cluster's is "kafka-cluster"), a principal
// "Type:name", a concrete operation and ALLOW or DENY. The error names the
// field (Kafka answers INVALID_REQUEST with it).
status validate(const acl_binding& b);

// Filters: unset strings and ANY match every value.
struct resource_filter {
    resource_type type = resource_type::any;
    std::optional<std::string> name;
    // ANY: every pattern; MATCH: the patterns that apply to the resource
    // `name` (that literal name, the literal wildcard, PREFIXED prefixes of
    // it); LITERAL / PREFIXED: those exactly.
    pattern_type pattern = pattern_type::any;
};

struct entry_filter {
    std::optional<std::string> principal;
    std::optional<std::string> host;
    acl_operation operation = acl_operation::any;
    permission_type permission = permission_type::any;
};

struct acl_filter {
    resource_filter resource;
    entry_filter entry;

    bool matches(const acl_binding& b) const;
};

// Does resource pattern `p` apply to the resource (`type`, `name`)?
bool applies_to(const resource_pattern& p, resource_type type, std::string_view name);

}  // namespace spate::security
