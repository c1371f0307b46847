#pragma once

// The client quota admin APIs over raw_connection: DescribeClientQuotas (48)
// and AlterClientQuotas (49). Entity types are Kafka's ("user",
// "client-id"); an unset name is the default entity.
//
// Threading: the functions open their own connection (the first reachable
// bootstrap broker) and block. Errors: see error.h; a Kafka error code in an
// answer (CLUSTER_AUTHORIZATION_FAILED, INVALID_REQUEST, ...) is an error
// naming what it refused.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "kafka/client/config.h"

namespace spate::kafka::client {

struct quota_entity_part {
    std::string type;                 // "user" or "client-id"
    std::optional<std::string> name;  // nullopt: the default entity

    bool operator==(const quota_entity_part&) const = default;
};
using quota_entity_parts = std::vector<quota_entity_part>;

struct quota_entry {
    quota_entity_parts entity;
    std::vector<std::pair<std::string, double>> values;  // quota key, value
};

struct quota_op {
    std::string key;
    double value = 0;
    bool remove = false;
};

// Filter components: match type 0 EXACT (`match` set), 1 DEFAULT, 2 any
// specified name.
struct quota_filter_component {
    std::string type;
    int8_t match_type = 0;
    std::optional<std::string> match;
};

status alter_client_quotas(const client_config& config, const quota_entity_parts& entity,
                           const std::vector<quota_op>& ops, bool validate_only = false);
// strict: only entities made of exactly the components' types.
result<std::vector<quota_entry>> describe_client_quotas(
    const client_config& config, const std::vector<quota_filter_component>& components,
    bool strict);

}  // namespace spate::kafka::client
