#pragma once

// Every API handler the broker serves, one per file in this directory. Each
// file defines its spec with the version range it implements.

#include <span>

#include "broker/handler.h"

namespace spate::broker::handlers {

extern const handler_spec produce;
extern const handler_spec fetch;
extern const handler_spec list_offsets;
extern const handler_spec metadata;
extern const handler_spec api_versions;
extern const handler_spec create_topics;
extern const handler_spec delete_topics;
extern const handler_spec delete_records;
extern const handler_spec offset_for_leader_epoch;
extern const handler_spec describe_configs;
extern const handler_spec alter_configs;
extern const handler_spec describe_log_dirs;
extern const handler_spec create_partitions;
extern const handler_spec incremental_alter_configs;
extern const handler_spec describe_cluster;
extern const handler_spec find_coordinator;
extern const handler_spec join_group;
extern const handler_spec sync_group;
extern const handler_spec heartbeat;
extern const handler_spec consumer_group_heartbeat;
extern const handler_spec consumer_group_describe;
extern const handler_spec leave_group;
extern const handler_spec offset_commit;
extern const handler_spec offset_fetch;
extern const handler_spec list_groups;
extern const handler_spec describe_groups;
extern const handler_spec delete_groups;
extern const handler_spec offset_delete;
extern const handler_spec init_producer_id;
extern const handler_spec describe_producers;
extern const handler_spec add_partitions_to_txn;
extern const handler_spec add_offsets_to_txn;
extern const handler_spec end_txn;
extern const handler_spec txn_offset_commit;
extern const handler_spec describe_transactions;
extern const handler_spec list_transactions;
extern const handler_spec describe_acls;
extern const handler_spec create_acls;
extern const handler_spec delete_acls;
extern const handler_spec sasl_handshake;
extern const handler_spec sasl_authenticate;
extern const handler_spec describe_user_scram_credentials;
extern const handler_spec alter_user_scram_credentials;
extern const handler_spec describe_client_quotas;
extern const handler_spec alter_client_quotas;

// Every served API, ordered by key (what ApiVersions advertises).
std::span<const handler_spec> kafka_handlers();
// The handler for an API key, or nullptr if the API is not served.
const handler_spec* find_kafka_handler(int16_t api_key);

}  // namespace spate::broker::handlers
