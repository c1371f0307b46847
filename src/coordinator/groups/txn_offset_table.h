#pragma once

// A group's offsets written in open transactions (TxnOffsetCommit), by
// producer id: invisible to offset fetches until the producer's transaction
// ends, when complete() moves them into the committed offsets (COMMIT) or
// drops them (ABORT). Later writes of the same producer and partition win.
//
// Threading: none; the owning group's mutex guards it.

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "coordinator/group_types.h"
#include "coordinator/groups/offset_table.h"

namespace spate::coordinator::groups {

class txn_offset_table {
  public:
    bool empty() const { return _by_producer.empty(); }
    // Adds the offsets of `changes` (entries without one are ignored).
    void add(int64_t producer_id, const std::vector<offset_change>& changes);
    void load(int64_t producer_id, const topic_partition& tp, committed_offset o);
    // Ends `producer_id`'s transaction; returns false when it has no offsets
    // here (nothing changes).
    bool complete(int64_t producer_id, bool commit, offset_table& committed);
    // Partitions with an offset pending in any open transaction.
    std::set<topic_partition> partitions() const;

  private:
    std::map<int64_t, std::map<topic_partition, committed_offset>> _by_producer;
};

}  // namespace spate::coordinator::groups
