#include "coordinator/groups/txn_offset_table.h"

namespace spate::coordinator::groups {

void txn_offset_table::add(int64_t producer_id, const std::vector<offset_change>& changes) {
    auto& pending = _by_producer[producer_id];
    for (const auto& [tp, o] : changes)
        if (o) pending[tp] = *o;
}

void txn_offset_table::load(int64_t producer_id, const topic_partition& tp, committed_offset o) {
    _by_producer[producer_id][tp] = std::move(o);
}

bool txn_offset_table::complete(int64_t producer_id, bool commit, offset_table& committed) {
    auto it = _by_producer.find(producer_id);
    if (it == _by_producer.end()) return false;
    if (commit)
        for (auto& [tp, o] : it->second)
            committed.set(tp, std::move(o));
    _by_producer.erase(it);
    return true;
}

std::set<topic_partition> txn_offset_table::partitions() const {
    std::set<topic_partition> out;
    for (const auto& [pid, offsets] : _by_producer)
        for (const auto& [tp, o] : offsets)
            out.insert(tp);
    return out;
}

}  // namespace spate::coordinator::groups
