#pragma once

// A group's committed offsets, by partition. Changes are applied only after
// they are persisted (the caller writes them first); removals are expressed
// as offset_change entries with nullopt so the same list can be written and
// then applied.
//
// Threading: none; the owning group's mutex guards it.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/group_types.h"

namespace spate::coordinator::groups {

class offset_table {
  public:
    using map = std::map<topic_partition, committed_offset>;

    bool empty() const { return _offsets.empty(); }
    bool contains(const topic_partition& tp) const { return _offsets.count(tp) != 0; }
    const map& all() const { return _offsets; }
    // The offsets of `partitions` that exist; unknown ones are absent.
    map get(const std::vector<topic_partition>& partitions) const;

    void set(const topic_partition& tp, committed_offset o) { _offsets[tp] = std::move(o); }
    void erase(const topic_partition& tp) { _offsets.erase(tp); }
    void clear() { _offsets.clear(); }
    // Sets the offsets of `changes` that carry one and removes the others.
    void apply(const std::vector<offset_change>& changes);

    // Removals of every offset, and of those of `topic`.
    std::vector<offset_change> removals() const;
    std::vector<offset_change> removals_of_topic(const std::string& topic) const;
    // Removals of offsets whose retention `keep_ms` has passed at `now_ms`,
    // counted from `empty_since_ms` when set (a group that had members),
    // else from each offset's commit time.
    std::vector<offset_change> expired(int64_t now_ms, int64_t keep_ms,
                                       std::optional<int64_t> empty_since_ms) const;

  private:
    map _offsets;
};

// The offsets of a commit request that may be stored: those whose metadata
// exceeds `max_metadata_bytes` get offset_metadata_too_large in `errors` (one
// slot per request offset, in order) and are left out.
std::vector<offset_change> accepted_offsets(
    const std::vector<std::pair<topic_partition, committed_offset>>& offsets,
    size_t max_metadata_bytes, std::vector<error_code>& errors);

// Sets every slot of `errors` still `none` to `e` (a failed write fails every
// offset it carried).
void fail_accepted(std::vector<error_code>& errors, error_code e);

}  // namespace spate::coordinator::groups
