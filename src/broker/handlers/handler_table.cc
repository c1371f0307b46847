// The table of served Kafka APIs, ordered by key.

#include <algorithm>
#include <vector>

#include "broker/handlers/handlers.h"

namespace spate::broker::handlers {

std::span<const handler_spec> kafka_handlers() {
    static const std::vector<handler_spec> table = [] {
        std::vector<handler_spec> t = {
            produce,
            fetch,
            list_offsets,
            metadata,
            api_versions,
            create_topics,
            delete_topics,
            delete_records,
            offset_for_leader_epoch,
            describe_configs,
            alter_configs,
            describe_log_dirs,
            create_partitions,
            incremental_alter_configs,
            describe_cluster,
            find_coordinator,
            join_group,
            sync_group,
            heartbeat,
            consumer_group_heartbeat,
            consumer_group_describe,
            leave_group,
            offset_commit,
            offset_fetch,
            list_groups,
            describe_groups,
            delete_groups,
            offset_delete,
            init_producer_id,
            describe_producers,
            add_partitions_to_txn,
            add_offsets_to_txn,
            end_txn,
            txn_offset_commit,
            describe_transactions,
            list_transactions,
            describe_acls,
            create_acls,
            delete_acls,
            sasl_handshake,
            sasl_authenticate,
            describe_user_scram_credentials,
            alter_user_scram_credentials,
            describe_client_quotas,
            alter_client_quotas,
        };
        std::sort(t.begin(), t.end(),
                  [](const handler_spec& a, const handler_spec& b) { return a.key < b.key; });
        return t;
    }();
    return table;
}

const handler_spec* find_kafka_handler(int16_t api_key) {
    for (const auto& h : kafka_handlers())
        if (static_cast<int16_t>(h.key) == api_key) return &h;
    return nullptr;
}

}  // namespace spate::broker::handlers
