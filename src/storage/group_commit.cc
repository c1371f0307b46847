#include "storage/group_commit.h"

#include <algorithm>
#include <vector>

namespace spate::storage {

group_commit::group_commit(const std::atomic<int64_t>& end,
                           const std::atomic<uint64_t>& appended_bytes, target_fn target,
                           clock_fn clock, const topic_config& c)
    : _end(end)
    , _appended_bytes(appended_bytes)
    , _target(std::move(target))
    , _clock(std::move(clock))
    , _flush_messages(c.flush_messages)
    , _flush_bytes(c.flush_bytes)
    , _flush_ms(c.flush_ms) {}

void group_commit::reset(int64_t durable, int64_t now_ms) {
    std::lock_guard lk(_sync_mu);
    _durable = durable;
    _last_sync_ms = now_ms;
}

void group_commit::advance(int64_t o) {
    std::lock_guard lk(_sync_mu);
    _durable = std::max(_durable.load(), o);
}

status group_commit::sync() {
    std::unique_lock lk(_sync_mu);
    int64_t target = _end.load();
    while (_durable.load() < target) {
        if (_sync_in_progress) {
            _sync_cv.wait(lk);
            continue;
        }
        _sync_in_progress = true;
        lk.unlock();
        sync_target t = _target();
        _last_sync_start = std::chrono::steady_clock::now().time_since_epoch().count();
        status s = t.active->sync_data();
        int64_t now = _clock();
        lk.lock();
        _sync_in_progress = false;
        if (s.ok()) {
            _durable = std::max(_durable.load(), t.end);
            _durable_bytes = std::max(_durable_bytes, t.bytes);
            _last_sync_ms = now;
        }
        _sync_cv.notify_all();
        lk.unlock();
        complete_waiters(s);
        if (!s.ok()) return s;
        lk.lock();
    }
    return {};
}

void group_commit::complete_waiters(status s) {
    std::vector<std::function<void(status)>> ready;
    {
        std::lock_guard lk(_sync_mu);
        int64_t durable = _durable.load();
        auto stop = s.ok() ? _waiters.upper_bound(durable - 1) : _waiters.end();
        for (auto it = _waiters.begin(); it != stop;) {
            ready.push_back(std::move(it->second));
            it = _waiters.erase(it);
        }
    }
    for (auto& f : ready)
        f(s);
}

status group_commit::wait_durable(int64_t o) {
    while (_durable.load() < o) {
        if (o > _end.load()) return make_error(errc::out_of_range, "offset beyond log end");
        SPATE_TRY(sync());
    }
    return {};
}

void group_commit::when_durable(int64_t o, std::function<void(status)> done) {
    std::function<void()> schedule;
    {
        std::lock_guard lk(_sync_mu);
        if (_durable.load() < o) {
            _waiters.emplace(o - 1, std::move(done));
            // Without a scheduler: sync inline; a failure reaches the waiters.
            schedule = _scheduler ? _scheduler : [this] { (void)sync(); };
        }
    }
    if (!schedule) {
        done({});
        return;
    }
    schedule();
}

void group_commit::set_scheduler(std::function<void()> schedule) {
    std::lock_guard lk(_sync_mu);
    _scheduler = std::move(schedule);
}

void group_commit::set_dirty_notifier(std::function<void()> notify) {
    std::lock_guard lk(_notifier_mu);
    _notifier = std::move(notify);
}

void group_commit::mark_dirty() {
    // The load keeps the common case (already marked) free of a locked
    // instruction. Ordering (all seq_cst): the caller stored the log end
    // before; still_dirty() clears the mark before it reads the end, so
    // either it sees this append's end or this exchange sees the cleared mark.
    if (_dirty_marked.load() || _dirty_marked.exchange(true)) return;
    std::lock_guard lk(_notifier_mu);
    if (_notifier) _notifier();
}

bool group_commit::still_dirty() {
    _dirty_marked.store(false);
    if (_end.load() <= _durable.load()) return false;
    return !_dirty_marked.exchange(true);
}

void group_commit::set_policy(const topic_config& c) {
    _flush_messages = c.flush_messages;
    _flush_bytes = c.flush_bytes;
    _flush_ms = c.flush_ms;
}

bool group_commit::flushes_by_time_or_size() const {
    return _flush_ms.load() != INT64_MAX || _flush_bytes.load() != INT64_MAX;
}

bool group_commit::flush_due(int64_t now_ms) const {
    int64_t end = _end.load();
    int64_t durable = _durable.load();
    if (end <= durable) return false;
    std::lock_guard lk(_sync_mu);
    if (!_waiters.empty()) return true;
    return end - durable >= _flush_messages.load() ||
           _appended_bytes.load() - _durable_bytes >= static_cast<uint64_t>(_flush_bytes.load()) ||
           now_ms - _last_sync_ms >= _flush_ms.load();
}

}  // namespace spate::storage
