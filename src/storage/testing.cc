#include "storage/testing.h"

#include <shared_mutex>

#include "storage/log_state.h"

namespace spate::storage {

size_t log_test_access::segment_count(const log& l) {
    std::shared_lock lk(l._state->mu);
    return l._state->segments.size();
}

long log_test_access::data_file_refs(const log& l, size_t i) {
    std::shared_lock lk(l._state->mu);
    if (i >= l._state->segments.size()) return 0;
    return l._state->segments[i]->data_file().use_count();
}

std::filesystem::path log_test_access::data_file_path(const log& l, size_t i) {
    std::shared_lock lk(l._state->mu);
    if (i >= l._state->segments.size()) return {};
    return l._state->segments[i]->data_file()->path();
}

uint64_t log_test_access::writeback_started(const log& l, size_t i) {
    std::shared_lock lk(l._state->mu);
    if (i >= l._state->segments.size()) return 0;
    return l._state->segments[i]->writeback_started();
}

compaction_counters log_test_access::compaction_stats(const log& l) {
    return l._cleaner->counters();
}

result<compaction_result> log_test_access::compact_until_crash(log& l, int64_t now_ms,
                                                               const compaction_options& o,
                                                               compaction::stop_point stop) {
    return l._cleaner->compact(*l._state, now_ms, o, stop);
}

flush_ticker_stats log_manager_test_access::flush_stats(const log_manager& m) {
    flush_ticker_stats s;
    s.ticks = m._ticks.load();
    s.policy_checks = m._policy_checks.load();
    s.sweep_checks = m._sweep_checks.load();
    s.syncs_scheduled = m._ticker_syncs.load();
    return s;
}

size_t log_manager_test_access::enforce_retention_now(log_manager& m) {
    size_t deleted = 0;
    int64_t now = m._options.clock();
    for (auto& l : m.every_log()) {
        auto n = l->enforce_retention(now);
        if (n.ok()) deleted += *n;
    }
    return deleted;
}

size_t log_manager_test_access::compact_all_now(log_manager& m, bool force) {
    compaction_options o;
    o.map_memory_bytes = m._options.cleaner_map_bytes;
    o.force = force;
    size_t ran = 0;
    for (auto& l : m.compacted_logs()) {
        auto r = l->compact(m._options.clock(), o);
        if (r.ok() && r->ran) ++ran;
    }
    return ran;
}

}  // namespace spate::storage
