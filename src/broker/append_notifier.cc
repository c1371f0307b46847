#include "broker/append_notifier.h"

#include <vector>

namespace spate::broker {

append_notifier::subscription& append_notifier::subscription::operator=(subscription&& o) noexcept {
    if (this != &o) {
        reset();
        _n = o._n;
        _id = o._id;
        o._n = nullptr;
    }
    return *this;
}

void append_notifier::subscription::reset() {
    if (_n) _n->unsubscribe(_id);
    _n = nullptr;
}

append_notifier::subscription append_notifier::subscribe(std::set<partition_key> partitions,
                                                         std::function<void()> wake) {
    std::lock_guard lk(_mu);
    uint64_t id = _next_id++;
    for (const auto& key : partitions)
        _by_partition[key].insert(id);
    _entries.emplace(id, entry{std::move(partitions), std::move(wake)});
    return subscription(this, id);
}

void append_notifier::unsubscribe(uint64_t id) {
    std::lock_guard lk(_mu);
    auto it = _entries.find(id);
    if (it == _entries.end()) return;
    for (const auto& key : it->second.partitions) {
        auto p = _by_partition.find(key);
        if (p == _by_partition.end()) continue;
        p->second.erase(id);
        if (p->second.empty()) _by_partition.erase(p);
    }
    _entries.erase(it);
}

void append_notifier::notify(const std::string& topic, int32_t partition) {
    std::vector<std::function<void()>> to_wake;
    {
        std::lock_guard lk(_mu);
        auto p = _by_partition.find(partition_key{topic, partition});
        if (p == _by_partition.end()) return;
        to_wake.reserve(p->second.size());
        for (uint64_t id : p->second)
            to_wake.push_back(_entries.at(id).wake);
    }
    for (auto& f : to_wake)
        f();
}

size_t append_notifier::subscription_count() const {
    std::lock_guard lk(_mu);
    return _entries.size();
}

}  // namespace spate::broker
