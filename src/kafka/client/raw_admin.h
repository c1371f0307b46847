#pragma once

// Admin calls librdkafka 2.0 lacks, over raw_connection: ListTransactions
// (API 66), DescribeTransactions (API 65) and IncrementalAlterConfigs (API 44).
//
// Threading: the functions open their own connections and block.
// Errors: see error.h; a broker without the API is errc::unsupported.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/client/admin.h"
#include "kafka/client/config.h"
#include "kafka/client/types.h"
#include "kafka/protocol/generated/incremental_alter_configs_request.h"

namespace spate::kafka::client {

struct transaction_listing {
    std::string transactional_id;
    int64_t producer_id = -1;
    std::string state;
};

struct transaction_list_result {
    std::vector<transaction_listing> transactions;
    // Non-empty when some broker failed: the list may be incomplete.
    std::string incomplete;
    // Per broker: state filters it does not know ("the broker at A does not
    // know the state(s) X, Y").
    std::vector<std::string> warnings;
};

// ListTransactions on every broker of the cluster (each lists the ids it
// coordinates), filtered by state (Kafka's spelling) and producer id (empty:
// all). A broker without the API fails the whole call.
result<transaction_list_result> list_transactions(const client_config& config,
                                                  const std::vector<std::string>& states,
                                                  const std::vector<int64_t>& producer_ids);

struct transaction_description {
    std::string transactional_id;
    std::string state;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t timeout_ms = 0;
    int64_t start_time_ms = -1;  // -1: no transaction open
    broker_node coordinator;
    std::vector<topic_partition> partitions;
};

struct transaction_describe_result {
    std::map<std::string, transaction_description> described;
    std::map<std::string, error> errors;  // ids that could not be described, and why
};

// FindCoordinator for each id, then DescribeTransactions on its coordinator.
// Coordinator errors clients retry (loading, not available, not coordinator)
// are retried for 5 s. Fails as a whole only when the bootstrap broker cannot
// be reached or lacks the APIs.
result<transaction_describe_result> describe_transactions(const client_config& config,
                                                          const std::vector<std::string>& ids);

enum class config_op : int8_t { set = 0, remove = 1, append = 2, subtract = 3 };

struct config_change {
    std::string name;
    config_op op = config_op::set;
    std::optional<std::string> value;  // unset for remove
};

// The IncrementalAlterConfigs request for one resource (pure; tested).
protocol::incremental_alter_configs_request incremental_alter_configs_request(
    resource_type type, const std::string& name, const std::vector<config_change>& changes,
    bool validate_only);

// IncrementalAlterConfigs of one resource, sent to the first reachable
// bootstrap broker; atomic on the broker, unlike admin::alter_configs.
status incremental_alter_configs(const client_config& config, resource_type type,
                                 const std::string& name,
                                 const std::vector<config_change>& changes);

}  // namespace spate::kafka::client
