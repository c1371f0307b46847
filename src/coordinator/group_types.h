#pragma once

// The values the group coordinator takes and answers with: JoinGroup,
// SyncGroup, LeaveGroup, offset commits, descriptions and the persisted
// snapshot of a group's membership. Plain data, no behaviour.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "kafka/protocol/error_code.h"
#include "kafka/protocol/types.h"

namespace spate::coordinator {

// Errors are Kafka's codes, as the coordinator's answers go on the wire as they are.
using kafka::error_code;

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable, dead };

// Kafka's names ("Empty", "PreparingRebalance", ...), as DescribeGroups uses.
const char* state_name(group_state s);

// Which protocol a group speaks: classic (JoinGroup/SyncGroup) or consumer
// (KIP-848 ConsumerGroupHeartbeat). An empty group converts to the protocol
// of the next member that joins it.
enum class group_type { classic, consumer };

// "classic" / "consumer", as ListGroups v5 reports them.
const char* type_name(group_type t);

using bytes = std::vector<std::byte>;

struct group_protocol {
    std::string name;
    bytes metadata;
};

struct join_request {
    std::string group_id;
    std::string member_id;  // empty for a new member
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    std::string protocol_type;
    std::vector<group_protocol> protocols;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = 0;
    // JoinGroup v4+ (KIP-394): a new dynamic member first gets its id with
    // MEMBER_ID_REQUIRED and must rejoin with it.
    bool require_known_member_id = false;
};

struct join_member_info {
    std::string member_id;
    std::optional<std::string> instance_id;
    bytes metadata;  // for the selected protocol
};

struct join_result {
    error_code error = error_code::none;
    int32_t generation = -1;
    std::string protocol_type;
    std::string protocol_name;
    std::string leader;
    std::string member_id;
    bool skip_assignment = false;
    std::vector<join_member_info> members;  // the leader's copy only
};

struct sync_request {
    std::string group_id;
    int32_t generation = -1;
    std::string member_id;
    std::optional<std::string> instance_id;
    std::vector<std::pair<std::string, bytes>> assignments;  // leader only
};

struct sync_result {
    error_code error = error_code::none;
    std::string protocol_type;
    std::string protocol_name;
    bytes assignment;
};

struct leave_member {
    std::string member_id;
    std::optional<std::string> instance_id;
};

struct topic_partition {
    std::string topic;
    int32_t partition = 0;
    auto operator<=>(const topic_partition&) const = default;
};

struct committed_offset {
    int64_t offset = -1;
    int32_t leader_epoch = -1;
    std::string metadata;
    int64_t commit_timestamp_ms = 0;
};

struct offset_commit_request {
    std::string group_id;
    int32_t generation = -1;  // -1 with an empty member id: a simple commit
    std::string member_id;
    std::optional<std::string> instance_id;
    std::vector<std::pair<topic_partition, committed_offset>> offsets;
};

// TxnOffsetCommit: offsets written as part of producer `producer_id`'s
// transaction, invisible to fetch_offsets() until complete_txn(commit).
struct txn_offset_commit_request {
    std::string group_id;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t generation = -1;  // -1 with an empty member id: no member check
    std::string member_id;
    std::optional<std::string> instance_id;
    std::vector<std::pair<topic_partition, committed_offset>> offsets;
};

struct member_description {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    bytes metadata;
    bytes assignment;
};

struct group_description {
    error_code error = error_code::none;
    group_state state = group_state::dead;
    group_type type = group_type::classic;
    std::string state_name;  // Kafka's name for the group's type
    std::string protocol_type;
    std::string protocol_name;
    std::vector<member_description> members;
};

struct group_listing {
    std::string group_id;
    std::string protocol_type;
    group_state state = group_state::empty;
    group_type type = group_type::classic;
    // Kafka's state name for the group's type (consumer groups: Empty,
    // Assigning, Reconciling, Stable).
    std::string state_name;
};

// A group's persisted membership (Kafka's GroupMetadataValue): written when a
// generation's assignment is complete and when the group becomes empty, and
// installed by load_group() on start so that members keep their generation and
// assignment across a coordinator restart.
struct member_snapshot {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    int32_t rebalance_timeout_ms = 0;
    int32_t session_timeout_ms = 0;
    bytes subscription;  // metadata for the selected protocol
    bytes assignment;
    bool operator==(const member_snapshot&) const = default;
};

struct group_snapshot {
    std::string protocol_type;
    int32_t generation = 0;
    std::optional<std::string> protocol_name;
    std::optional<std::string> leader;
    int64_t state_timestamp_ms = -1;  // when the group entered its state
    std::vector<member_snapshot> members;
    bool operator==(const group_snapshot&) const = default;
};

// KIP-848 consumer groups ---------------------------------------------------

// Partitions by topic name.
using partition_set = std::map<std::string, std::set<int32_t>>;

// A topic as the consumer group coordinator sees it (from the broker's
// topic directory; internal topics excluded).
struct topic_meta {
    std::string name;
    kafka::protocol::uuid id;
    int32_t partitions = 0;
};
using topic_source = std::function<std::vector<topic_meta>()>;

// ConsumerGroupHeartbeat, with topic ids already resolved to names (owned
// partitions of unknown topic ids are dropped by the caller).
struct consumer_heartbeat_request {
    std::string group_id;
    std::string member_id;
    int32_t member_epoch = 0;  // 0 join, -1 leave, -2 static leave
    std::optional<std::string> instance_id;
    std::optional<std::string> rack_id;
    int32_t rebalance_timeout_ms = -1;  // -1: unchanged
    std::optional<std::vector<std::string>> subscribed_topic_names;
    std::optional<std::string> subscribed_topic_regex;
    std::optional<std::string> server_assignor;
    std::optional<partition_set> owned;  // nullopt: unchanged
    std::string client_id;
    std::string client_host;
};

struct consumer_heartbeat_result {
    error_code error = error_code::none;
    std::string error_message;
    std::string member_id;
    int32_t member_epoch = 0;
    int32_t heartbeat_interval_ms = 0;
    std::optional<partition_set> assignment;  // the member's whole assignment
};

struct consumer_member_description {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::optional<std::string> rack_id;
    int32_t member_epoch = 0;
    std::string client_id;
    std::string client_host;
    std::vector<std::string> subscribed_topic_names;
    std::optional<std::string> subscribed_topic_regex;
    partition_set assignment;
    partition_set target_assignment;
};

// ConsumerGroupDescribe. group_id_not_found for an unknown group or a
// classic one.
struct consumer_group_description {
    error_code error = error_code::none;
    std::string error_message;
    std::string state_name;
    int32_t group_epoch = 0;
    int32_t assignment_epoch = 0;
    std::string assignor_name;
    std::vector<consumer_member_description> members;
};

// One offset change of a group; nullopt removes the offset.
using offset_change = std::pair<topic_partition, std::optional<committed_offset>>;

using join_callback = std::function<void(join_result)>;
using sync_callback = std::function<void(sync_result)>;

// Persistence hooks (see group_coordinator::set_persistence). A group_writer
// gets nullopt for a deleted group (tombstone); a txn_offset_writer writes a
// transaction's offsets as records of producer (pid, epoch).
using offset_writer =
    std::function<status(const std::string& group, const std::vector<offset_change>&)>;
using group_writer =
    std::function<status(const std::string& group, const std::optional<group_snapshot>&)>;
using txn_offset_writer = std::function<status(const std::string& group, int64_t pid, int16_t epoch,
                                               const std::vector<offset_change>&)>;

}  // namespace spate::coordinator
