#pragma once

// Compaction passes over one log (internal to storage; the contract is
// log::compact in log.h, the building blocks are in compactor.h): decides
// whether a pass is due, builds the key -> latest offset map over the dirty
// section, writes cleaned groups of segments and swaps each one in under the
// log's exclusive lock.
//
// Threading: passes on one log are serialised by the cleaner's own mutex,
// held for a whole pass (lock order: it before the log's lock). stop() may
// be called from any thread.

#include <atomic>
#include <cstdint>
#include <mutex>

#include "base/result.h"
#include "storage/compactor.h"
#include "storage/log_state.h"
#include "storage/log_types.h"

namespace spate::storage {

// Running totals since open, for metrics.
struct compaction_counters {
    uint64_t passes = 0;
    uint64_t bytes_removed = 0;
    uint64_t records_removed = 0;
    int64_t last_clean_ms = -1;  // wall clock of the last pass that ran
};

class log_cleaner {
  public:
    // One pass over `s` (see log::compact). `stop` (fault injection for the
    // tests, storage/testing.h) makes the first swap stop as if the process
    // died there, returning errc::io_error.
    result<compaction_result> compact(log_state& s, int64_t now_ms, const compaction_options& o,
                                      compaction::stop_point stop = compaction::stop_point::none);
    compaction_counters counters() const;
    // A running pass stops soon (its cleaned files are discarded); later
    // passes do nothing.
    void stop() { _abort = true; }
    // stop(), then waits until a running pass has returned.
    void stop_and_wait();

  private:
    std::mutex _pass_mu;
    int64_t _first_dirty = -1;  // guarded by _pass_mu; -1: checkpoint not loaded yet
    std::atomic<bool> _abort{false};
    // Earliest delete horizon among batches still holding tombstones, as seen
    // by the last pass (in memory only, like Kafka's).
    std::atomic<int64_t> _delete_horizon{INT64_MAX};
    mutable std::mutex _counters_mu;
    compaction_counters _counters;
};

}  // namespace spate::storage
