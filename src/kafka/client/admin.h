#pragma once

// Kafka administration over librdkafka's admin API: metadata, topics,
// partitions, configs, records, consumer groups and their offsets. For the
// calls librdkafka 2.0 lacks (transactions, IncrementalAlterConfigs) see
// raw_client.h.
//
// Threading: an admin object is used by one thread at a time; calls block
// until the broker answers or the client's timeout passes. An unreachable
// bootstrap fails the call as soon as every bootstrap broker is down
// (errc::io_error, message naming the bootstrap) instead of waiting.
// Errors: see error.h. Per-item outcomes (a topic of many, a partition) are
// `status` values inside the results.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "kafka/client/config.h"
#include "kafka/client/types.h"

namespace spate::kafka::client {

struct partition_metadata {
    int32_t id = 0;
    int32_t leader = -1;
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr;
    status error;  // the partition's own error, if any
};

struct topic_metadata {
    std::string name;
    std::vector<partition_metadata> partitions;
    status error;
};

struct cluster_metadata {
    std::vector<broker_node> brokers;
    std::vector<topic_metadata> topics;
};

struct new_topic {
    std::string name;
    int32_t partitions = 1;
    int32_t replication_factor = 1;
    property_list configs;
};

enum class resource_type { topic, broker };

enum class config_source {
    unknown,
    dynamic_topic,
    dynamic_broker,
    default_broker,
    static_broker,
    default_config,
    other
};

struct config_entry {
    std::string name;
    std::optional<std::string> value;
    bool is_default = false;
    bool read_only = false;
    bool sensitive = false;
    config_source source = config_source::unknown;
};

struct group_listing {
    std::string group;
    std::string state;          // "Stable", "Empty", ... (Kafka's spelling)
    std::string protocol_type;  // "consumer", or empty for a simple group
};

struct group_list_result {
    std::vector<group_listing> groups;
    // Non-empty when some broker did not answer: the list may be incomplete.
    std::string incomplete;
};

struct group_member_description {
    std::string member_id;
    std::string client_id;
    std::string host;
    std::vector<topic_partition> assignment;
};

struct group_description {
    std::string group;
    std::string state;
    std::string assignor;  // may be empty
    std::optional<broker_node> coordinator;
    std::vector<group_member_description> members;
};

struct group_result {
    std::string group;
    status result;
};

using offset_map = std::map<topic_partition, int64_t>;

class admin {
  public:
    // A client for `config` (extra properties in config.properties). Fails on
    // a malformed configuration, not on an unreachable broker.
    static result<admin> connect(const client_config& config);

    admin(admin&&) noexcept;
    admin& operator=(admin&&) noexcept;
    ~admin();

    // Every topic (and the brokers), or just `topic`: a missing topic is
    // errc::not_found naming it.
    result<cluster_metadata> metadata();
    result<topic_metadata> topic(const std::string& topic);

    status create_topic(const new_topic& t);
    status delete_topic(const std::string& name);
    // Grows `topic` to `total` partitions.
    status create_partitions(const std::string& topic, int32_t total);

    result<std::vector<config_entry>> describe_configs(resource_type type, const std::string& name);
    // Non-incremental AlterConfigs: `configs` replaces every dynamic config
    // of the resource.
    status alter_configs(resource_type type, const std::string& name, const property_list& configs);

    // Moves each partition's log start to its offset (k_offset_end: the high
    // watermark); each result carries the new low watermark.
    result<std::vector<partition_result>> delete_records(const std::vector<partition_offset>& to);

    // ListOffsets of `partitions` at `timestamp` (k_latest_timestamp,
    // k_earliest_timestamp or epoch ms): a partition maps to -1 when no
    // record has a timestamp at or after it. Log ends are high watermarks.
    result<offset_map> list_offsets(const std::vector<topic_partition>& partitions,
                                    int64_t timestamp);

    // Consumer groups (ListGroups), filtered by state (Kafka's spelling;
    // empty: all). Falls back to ListGroups v0 when the broker refuses the
    // v4 request librdkafka 2.0.2 sends (it appends a stray byte).
    result<group_list_result> list_groups(const std::vector<std::string>& states = {});
    result<group_description> describe_group(const std::string& group);
    result<std::vector<group_result>> delete_groups(const std::vector<std::string>& groups);

    // Committed offsets of `group` for `partitions` (empty: every partition;
    // when the broker refuses librdkafka 2.0.2's all-partitions request, the
    // partitions of every non-internal topic are asked for instead).
    result<offset_map> list_group_offsets(const std::string& group,
                                          const std::vector<topic_partition>& partitions = {});
    // Commits `offsets` for `group` from outside the group (fails when the
    // group has live members); per-partition outcomes.
    result<std::vector<partition_result>> alter_group_offsets(
        const std::string& group, const std::vector<partition_offset>& offsets);

    struct impl;

  private:
    explicit admin(std::unique_ptr<impl> p);
    std::unique_ptr<impl> _impl;
};

}  // namespace spate::kafka::client
