#pragma once

// The ACL admin APIs over raw_connection: CreateAcls (30), DescribeAcls (29)
// and DeleteAcls (31), with Kafka's wire codes (kafka/protocol/acl.h for
// operations and resource types; pattern types 1 ANY, 2 MATCH, 3 LITERAL,
// 4 PREFIXED; permissions 1 ANY, 2 DENY, 3 ALLOW).
//
// Threading: the functions open their own connection (the first reachable
// bootstrap broker) and block. Errors: see error.h; a Kafka error code in an
// answer (CLUSTER_AUTHORIZATION_FAILED, INVALID_REQUEST, ...) is an error
// naming the binding or filter it refused.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/client/config.h"

namespace spate::kafka::client {

struct acl_binding_spec {
    int8_t resource_type = 0;
    std::string resource_name;
    int8_t pattern_type = 3;  // LITERAL
    std::string principal;
    std::string host = "*";
    int8_t operation = 0;
    int8_t permission = 0;

    bool operator==(const acl_binding_spec&) const = default;
};

// Unset strings match every value; code 1 is ANY.
struct acl_filter_spec {
    int8_t resource_type = 1;
    std::optional<std::string> resource_name;
    int8_t pattern_type = 1;
    std::optional<std::string> principal;
    std::optional<std::string> host;
    int8_t operation = 1;
    int8_t permission = 1;
};

// Creates every binding; the first refused one is the error (the others may
// have been created: Kafka applies each on its own).
status create_acls(const client_config& config, const std::vector<acl_binding_spec>& bindings);
result<std::vector<acl_binding_spec>> describe_acls(const client_config& config,
                                                    const acl_filter_spec& filter);
// The bindings the filters removed.
result<std::vector<acl_binding_spec>> delete_acls(const client_config& config,
                                                  const std::vector<acl_filter_spec>& filters);

}  // namespace spate::kafka::client
