#include "coordinator/groups/offset_table.h"

namespace spate::coordinator::groups {

offset_table::map offset_table::get(const std::vector<topic_partition>& partitions) const {
    map out;
    for (const auto& tp : partitions) {
        auto it = _offsets.find(tp);
        if (it != _offsets.end()) out.insert(*it);
    }
    return out;
}

void offset_table::apply(const std::vector<offset_change>& changes) {
    for (const auto& [tp, o] : changes) {
        if (o)
            _offsets[tp] = *o;
        else
            _offsets.erase(tp);
    }
}

std::vector<offset_change> offset_table::removals() const {
    std::vector<offset_change> out;
    for (const auto& [tp, o] : _offsets)
        out.emplace_back(tp, std::nullopt);
    return out;
}

std::vector<offset_change> offset_table::removals_of_topic(const std::string& topic) const {
    std::vector<offset_change> out;
    for (const auto& [tp, o] : _offsets)
        if (tp.topic == topic) out.emplace_back(tp, std::nullopt);
    return out;
}

std::vector<offset_change> offset_table::expired(int64_t now_ms, int64_t keep_ms,
                                                 std::optional<int64_t> empty_since_ms) const {
    std::vector<offset_change> out;
    for (const auto& [tp, o] : _offsets) {
        int64_t since = empty_since_ms ? *empty_since_ms : o.commit_timestamp_ms;
        if (since + keep_ms <= now_ms) out.emplace_back(tp, std::nullopt);
    }
    return out;
}

std::vector<offset_change> accepted_offsets(
    const std::vector<std::pair<topic_partition, committed_offset>>& offsets,
    size_t max_metadata_bytes, std::vector<error_code>& errors) {
    std::vector<offset_change> changes;
    for (size_t i = 0; i < offsets.size(); ++i) {
        const auto& [tp, o] = offsets[i];
        if (o.metadata.size() > max_metadata_bytes)
            errors[i] = error_code::offset_metadata_too_large;
        else
            changes.emplace_back(tp, o);
    }
    return changes;
}

void fail_accepted(std::vector<error_code>& errors, error_code e) {
    for (auto& slot : errors)
        if (slot == error_code::none) slot = e;
}

}  // namespace spate::coordinator::groups
