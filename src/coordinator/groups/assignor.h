#pragma once

// The server-side assignors of KIP-848 consumer groups: they compute a
// group's target assignment from its members' subscriptions and the
// subscribed topics' partition counts.
//
// - `uniform` (the default): every partition of a subscribed topic goes to
//   one subscribed member, counts differ by at most one between members
//   that can take the same partitions, and a partition stays with its
//   previous target owner when that keeps the balance (sticky).
// - `range`: per topic, its members (sorted by id) get contiguous ranges,
//   the first ones one partition more when the count does not divide.
//
// Pure functions, no state; any thread.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "coordinator/group_types.h"

namespace spate::coordinator::groups {

inline constexpr const char* k_default_assignor = "uniform";

struct assignor_member {
    std::string id;
    std::set<std::string> topics;  // subscribed topics that exist
};

bool known_assignor(const std::string& name);

// The target assignment (member id → partitions; every member has an entry).
// `partitions` holds the count of every topic a member subscribes to;
// `previous` is the last target assignment. Requires known_assignor(name).
std::map<std::string, partition_set> compute_assignment(
    const std::string& name, const std::vector<assignor_member>& members,
    const std::map<std::string, int32_t>& partitions,
    const std::map<std::string, partition_set>& previous);

}  // namespace spate::coordinator::groups
