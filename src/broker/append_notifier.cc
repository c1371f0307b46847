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
    _entries.emplace(id, entry{std::move(partitions), std::move(wake)});
    return subscription(this, id);
}

void append_notifier::unsubscribe(uint64_t id) {
    std::lock_guard lk(_mu);
    _entries.erase(id);
}

void append_notifier::notify(const std::string& topic, int32_t partition) {
    std::vector<std::function<void()>> to_wake;
    {
        std::lock_guard lk(_mu);
        partition_key key{topic, partition};
        for (const auto& [id, e] : _entries)
            if (e.partitions.count(key)) to_wake.push_back(e.wake);
    }
    for (auto& f : to_wake)
        f();
}

}  // namespace spate::broker
