#pragma once

// Kafka protocol error codes, shared by every module that answers Kafka
// requests (broker handlers, coordinators). Values are Kafka's; only the codes
// Spate emits are listed. Internal `errc` values are mapped to these at the
// protocol edge (to_error_code) and nowhere else.

#include <cstdint>

#include "base/result.h"

namespace spate::kafka {

enum class error_code : int16_t {
    unknown_server_error = -1,
    none = 0,
    offset_out_of_range = 1,
    corrupt_message = 2,
    unknown_topic_or_partition = 3,
    leader_not_available = 5,
    not_leader_or_follower = 6,
    request_timed_out = 7,
    message_too_large = 10,
    offset_metadata_too_large = 12,
    coordinator_not_available = 15,
    invalid_topic_exception = 17,
    record_list_too_large = 18,
    invalid_required_acks = 21,
    illegal_generation = 22,
    inconsistent_group_protocol = 23,
    invalid_group_id = 24,
    unknown_member_id = 25,
    invalid_session_timeout = 26,
    rebalance_in_progress = 27,
    topic_authorization_failed = 29,
    group_authorization_failed = 30,
    cluster_authorization_failed = 31,
    unsupported_version = 35,
    topic_already_exists = 36,
    invalid_partitions = 37,
    invalid_replication_factor = 38,
    invalid_replica_assignment = 39,
    invalid_config = 40,
    invalid_request = 42,
    policy_violation = 44,
    out_of_order_sequence_number = 45,
    duplicate_sequence_number = 46,
    invalid_producer_epoch = 47,
    invalid_txn_state = 48,
    invalid_producer_id_mapping = 49,
    invalid_transaction_timeout = 50,
    concurrent_transactions = 51,
    transactional_id_authorization_failed = 53,
    security_disabled = 54,
    kafka_storage_error = 56,
    unknown_producer_id = 59,
    non_empty_group = 68,
    group_id_not_found = 69,
    fetch_session_id_not_found = 70,
    invalid_fetch_session_epoch = 71,
    unknown_leader_epoch = 76,
    member_id_required = 79,
    fenced_instance_id = 82,
    group_subscribed_to_topic = 86,
    unstable_offset_commit = 88,
    invalid_record = 87,
    producer_fenced = 90,
    unknown_topic_id = 100,
    transactional_id_not_found = 105,
    fenced_member_epoch = 110,
    unreleased_instance_id = 111,
    unsupported_assignor = 112,
    stale_member_epoch = 113,
    invalid_regular_expression = 128,
};

inline constexpr int16_t code(error_code e) {
    return static_cast<int16_t>(e);
}

// The closest Kafka code for an internal failure on a partition operation.
error_code to_error_code(const error& e);

}  // namespace spate::kafka
