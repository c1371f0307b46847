#pragma once

// Conversions between the ACL APIs' wire fields (CreateAcls, DescribeAcls,
// DeleteAcls) and security/acl.h values.

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "security/acl.h"

namespace spate::broker::handlers {

security::acl_binding binding_of(int8_t resource_type, const std::string& resource_name,
                                 int8_t pattern_type, const std::string& principal,
                                 const std::string& host, int8_t operation, int8_t permission);

// A DescribeAcls / DeleteAcls filter; errc::invalid_argument (Kafka's
// INVALID_REQUEST) for UNKNOWN or out-of-range codes, as Kafka refuses
// filters it cannot interpret.
result<security::acl_filter> filter_of(int8_t resource_type,
                                       const std::optional<std::string>& resource_name,
                                       int8_t pattern_type,
                                       const std::optional<std::string>& principal,
                                       const std::optional<std::string>& host, int8_t operation,
                                       int8_t permission);

}  // namespace spate::broker::handlers
