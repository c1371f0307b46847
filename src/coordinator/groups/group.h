#pragma once

// One consumer group's in-memory state: its membership (state machine
// fields, members, static and pending ids), its committed offsets and its
// offsets pending in open transactions. Internal to the coordinator.
//
// Threading: every field is guarded by `mu`; the parts that operate on a
// group (membership, offset tables, expiry) require it held.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/group_types.h"
#include "coordinator/groups/consumer_state.h"
#include "coordinator/groups/offset_table.h"
#include "coordinator/groups/txn_offset_table.h"

namespace spate::coordinator::groups {

struct member {
    std::string id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    std::vector<group_protocol> protocols;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = 0;
    int64_t last_heartbeat_ms = 0;
    join_callback awaiting_join;
    sync_callback awaiting_sync;
    bytes assignment;

    // The member's metadata for `protocol`; nullptr when it does not support it.
    const bytes* metadata_for(const std::string& protocol) const {
        for (const auto& p : protocols)
            if (p.name == protocol) return &p.metadata;
        return nullptr;
    }
    bool supports(const std::string& protocol) const { return metadata_for(protocol) != nullptr; }
};

struct group {
    std::mutex mu;
    std::string id;
    // Classic groups use the fields up to `state_timestamp_ms`; consumer
    // groups keep `state` Empty and use `consumer`.
    group_type type = group_type::classic;
    consumer_group_state consumer;
    group_state state = group_state::empty;
    int32_t generation = 0;
    std::string protocol_type;
    std::string protocol_name;
    std::string leader;
    // Ordered by member id string; the first member becomes leader when the
    // previous leader is gone.
    std::map<std::string, member> members;
    std::map<std::string, std::string> static_members;  // instance id → member id
    std::map<std::string, int64_t> pending;             // KIP-394 ids → expiry time
    int64_t rebalance_deadline_ms = 0;
    int64_t initial_delay_end_ms = 0;  // 0: no initial delay in progress
    int64_t state_timestamp_ms = -1;   // when it last became empty or stable
    offset_table offsets;
    txn_offset_table txn_offsets;

    // Holds nothing worth keeping: no members (nor pending ids), no offsets
    // of either kind, and Empty or Dead.
    bool unused() const {
        return offsets.empty() && !has_members() && txn_offsets.empty() &&
               (state == group_state::empty || state == group_state::dead);
    }
    // Members of either protocol (or KIP-394 pending ids).
    bool has_members() const {
        return !members.empty() || !pending.empty() || !consumer.members.empty();
    }
};

// Callbacks gathered under a group's mutex and run once it is released.
struct pending_callbacks {
    std::vector<std::function<void()>> fns;
    void add(std::function<void()> f) { fns.push_back(std::move(f)); }
    // Queues `cb(r)` and leaves `cb` empty.
    template <typename Callback, typename Result>
    void answer(Callback& cb, Result r) {
        add([cb = std::move(cb), r = std::move(r)] { cb(r); });
        cb = nullptr;
    }
    void run() {
        auto todo = std::move(fns);
        fns.clear();
        for (auto& f : todo)
            f();
    }
    // Declared before the lock guard it accompanies, so the callbacks run
    // after the group's mutex is released, whichever way the scope exits.
    ~pending_callbacks() { run(); }
};

}  // namespace spate::coordinator::groups
