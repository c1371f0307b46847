#pragma once

// Durability of one log (internal to storage; the contract users see is
// storage::log's): the durable offset, group commit (concurrent sync()
// callers share one fdatasync), callbacks waiting for durability, dirty
// tracking for the owner's flush ticker, and the flush policy's numbers.
//
// Threading: every method is safe from any thread. The group-commit state
// has its own mutex; the log's lock (log_state::mu) may be held when calling
// in (lock order: log lock before this one), except around sync() and
// wait_durable(), which take the log's shared lock through `target_fn`.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "base/result.h"
#include "storage/config.h"
#include "storage/log_types.h"
#include "storage/segment.h"

namespace spate::storage {

class group_commit {
  public:
    // What one fdatasync covers: the active segment, with the log end and
    // the appended byte count that it holds, read together under the log's
    // shared lock.
    struct sync_target {
        std::shared_ptr<segment> active;
        int64_t end = 0;
        uint64_t bytes = 0;
    };
    using target_fn = std::function<sync_target()>;

    // `end` and `appended_bytes` are the log's counters (they outlive this).
    group_commit(const std::atomic<int64_t>& end, const std::atomic<uint64_t>& appended_bytes,
                 target_fn target, clock_fn clock, const topic_config& c);

    int64_t durable() const { return _durable.load(); }
    // On open: offsets below `durable` are on disk as of `now_ms`.
    void reset(int64_t durable, int64_t now_ms);
    // A roll synced the sealed segment: offsets below `o` are durable.
    void advance(int64_t o);

    // Makes every offset appended before the call durable. A failed sync is
    // also reported to the waiters it would have completed.
    status sync();
    // When the last fdatasync of sync() began (the clock's epoch if never).
    std::chrono::steady_clock::time_point last_sync_start() const {
        return std::chrono::steady_clock::time_point(
            std::chrono::steady_clock::duration(_last_sync_start.load()));
    }
    // Blocks until offsets below `o` are durable; errc::out_of_range past the log end.
    status wait_durable(int64_t o);
    // See log::when_durable. `schedule` (set_scheduler) runs when a sync is
    // needed; without one the sync runs inline.
    void when_durable(int64_t o, std::function<void(status)> done);
    void set_scheduler(std::function<void()> schedule);

    // See log::set_dirty_notifier / log::still_dirty. mark_dirty() is called
    // by the append path after it advanced the log end.
    void set_dirty_notifier(std::function<void()> notify);
    void mark_dirty();
    bool still_dirty();

    // flush.messages / flush.bytes / flush.ms, readable without locks.
    void set_policy(const topic_config& c);
    int64_t flush_messages() const { return _flush_messages.load(); }
    bool flushes_by_time_or_size() const;
    // See log::flush_due.
    bool flush_due(int64_t now_ms) const;

  private:
    void complete_waiters(status s);

    const std::atomic<int64_t>& _end;
    const std::atomic<uint64_t>& _appended_bytes;
    target_fn _target;
    clock_fn _clock;

    std::atomic<int64_t> _durable{0};
    std::atomic<std::chrono::steady_clock::rep> _last_sync_start{0};
    std::atomic<int64_t> _flush_messages;
    std::atomic<int64_t> _flush_bytes;
    std::atomic<int64_t> _flush_ms;

    mutable std::mutex _sync_mu;  // guards what follows up to _scheduler
    std::condition_variable _sync_cv;
    bool _sync_in_progress = false;
    uint64_t _durable_bytes = 0;
    int64_t _last_sync_ms = 0;
    // Waiters by the last offset they need durable.
    std::multimap<int64_t, std::function<void(status)>> _waiters;
    std::function<void()> _scheduler;

    std::mutex _notifier_mu;  // guards _notifier
    std::function<void()> _notifier;
    std::atomic<bool> _dirty_marked{false};
};

}  // namespace spate::storage
