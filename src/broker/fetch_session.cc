#include "broker/fetch_session.h"

#include <random>

namespace spate::broker {

std::shared_ptr<fetch_session> fetch_session_cache::create() {
    std::lock_guard lk(_mu);
    if (_max == 0) return nullptr;
    if (_sessions.size() >= _max) {
        auto lru = _sessions.begin();
        for (auto it = _sessions.begin(); it != _sessions.end(); ++it)
            if (it->second.first < lru->second.first) lru = it;
        _sessions.erase(lru);
    }
    static thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<int32_t> dist(1, INT32_MAX);
    int32_t id = dist(rng);
    while (_sessions.count(id))
        id = dist(rng);
    auto s = std::make_shared<fetch_session>();
    s->id = id;
    _sessions[id] = {++_clock, s};
    return s;
}

std::pair<std::shared_ptr<fetch_session>, error_code> fetch_session_cache::acquire(int32_t id,
                                                                                   int32_t epoch) {
    std::lock_guard lk(_mu);
    auto it = _sessions.find(id);
    if (it == _sessions.end()) return {nullptr, error_code::fetch_session_id_not_found};
    auto& s = it->second.second;
    std::lock_guard slk(s->mu);
    if (s->next_epoch != epoch) return {nullptr, error_code::invalid_fetch_session_epoch};
    s->next_epoch = epoch == INT32_MAX ? 1 : epoch + 1;
    it->second.first = ++_clock;
    return {s, error_code::none};
}

void fetch_session_cache::remove(int32_t id) {
    std::lock_guard lk(_mu);
    _sessions.erase(id);
}

size_t fetch_session_cache::size() const {
    std::lock_guard lk(_mu);
    return _sessions.size();
}

}  // namespace spate::broker
