#pragma once

// The KIP-848 (consumer protocol) part of a group's state: members with
// their epochs, subscriptions and reconciled assignments, the group epoch,
// the target assignment and its epoch. Plain data guarded by the group's
// mutex; the behaviour is in consumer_membership.h.
//
// Epochs: the group epoch is bumped by every change that calls for a new
// target assignment (a member joins or leaves, a subscription or the
// partition count of a subscribed topic changes). The target assignment is
// recomputed when its epoch is behind the group epoch. A member's epoch
// reaches the assignment epoch once it has given up every partition the
// target takes from it; a partition moves to its new owner only after the
// previous owner revoked it.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coordinator/group_types.h"

namespace re2 {
class RE2;
}

namespace spate::coordinator::groups {

// Where a member is in reconciling its assignment with the target.
enum class member_state {
    stable,                 // owns its target (at the assignment epoch)
    unrevoked_partitions,   // must give up `revoking` before going on
    unreleased_partitions,  // waits for partitions others still own
};

struct consumer_member {
    std::string id;
    std::optional<std::string> instance_id;
    std::optional<std::string> rack_id;
    std::string client_id;
    std::string client_host;
    int32_t epoch = 0;
    int32_t previous_epoch = -1;
    member_state state = member_state::stable;
    std::vector<std::string> subscribed_topics;  // sorted
    std::optional<std::string> subscribed_regex;
    std::string server_assignor;  // empty: the group's default
    // The subscribed topics that exist (names and regex matches), as of the
    // group's last metadata refresh.
    std::set<std::string> resolved_topics;
    int32_t rebalance_timeout_ms = 0;
    int64_t session_deadline_ms = 0;
    int64_t revocation_deadline_ms = 0;  // while unrevoked_partitions
    // A static member that left with epoch -2: kept (with its partitions)
    // until its session ends or its instance id rejoins.
    bool static_left = false;
    partition_set assigned;  // reconciled: the member may consume these
    partition_set revoking;  // the member must revoke these
};

struct consumer_group_state {
    int32_t group_epoch = 0;
    int32_t assignment_epoch = 0;
    std::map<std::string, consumer_member> members;
    std::map<std::string, std::string> static_members;  // instance id → member id
    std::map<std::string, partition_set> target;        // member id → target assignment
    // Partition counts (and ids) of the subscribed topics when the target was
    // last computed; a difference bumps the group epoch.
    std::map<std::string, std::pair<kafka::protocol::uuid, int32_t>> subscribed_metadata;
    std::map<std::string, std::shared_ptr<const re2::RE2>> regex_cache;
    std::string assignor;  // the assignor of the last target assignment
    // The snapshot last persisted (groups/consumer_log.h); empty: none or a
    // tombstone. A heartbeat that leaves it unchanged writes nothing.
    bytes persisted;
};

}  // namespace spate::coordinator::groups
