#pragma once

// The persisted snapshot of a KIP-848 group (the value of its record in
// __consumer_offsets, docs/formats/consumer-offsets.md): group and
// assignment epochs, the assignor, and every member with its subscription,
// epochs, reconciliation state, assigned, revoking and target partitions.
// Session deadlines and compiled regexes are not persisted (sessions restart
// at load; regexes compile again).

#include <span>

#include "base/result.h"
#include "coordinator/group_types.h"
#include "coordinator/groups/consumer_state.h"

namespace spate::coordinator::groups {

bytes encode_consumer_group(const consumer_group_state& g);
// errc::corrupt for malformed bytes, errc::unsupported for an unknown
// version. Members' session deadlines are left 0 (the caller sets them).
result<consumer_group_state> decode_consumer_group(std::span<const std::byte> data);

}  // namespace spate::coordinator::groups
