#pragma once

// Test hooks of the storage module: read-outs and fault injection that only
// the tests use, kept out of the production headers. Built as the
// spate_storage_testing library, which only test binaries link.

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "base/result.h"
#include "storage/compactor.h"
#include "storage/log.h"
#include "storage/log_cleaner.h"
#include "storage/log_manager.h"

namespace spate::storage {

struct log_test_access {
    static size_t segment_count(const log& l);
    // Owners of segment `i`'s data file (the segment's own reference plus
    // every read_chunk and queued response holding it); 0 when no such segment.
    static long data_file_refs(const log& l, size_t i);
    // The path of segment `i`'s data file (empty when no such segment).
    static std::filesystem::path data_file_path(const log& l, size_t i);
    // Bytes of segment `i` whose writeback its appends started (0 when no such segment).
    static uint64_t writeback_started(const log& l, size_t i);
    static compaction_counters compaction_stats(const log& l);
    // One compaction pass (log::compact) that stops at `stop` as if the
    // process died there, leaving the files exactly as a crash would.
    static result<compaction_result> compact_until_crash(log& l, int64_t now_ms,
                                                         const compaction_options& o,
                                                         compaction::stop_point stop);
};

// Counters of the flush ticker since open.
struct flush_ticker_stats {
    uint64_t ticks = 0;
    // Logs whose flush policy was evaluated on a tick (they had unsynced data).
    uint64_t policy_checks = 0;
    // Logs checked by the backstop sweep (log::flush_due()).
    uint64_t sweep_checks = 0;
    uint64_t syncs_scheduled = 0;  // by the ticker (not by durability waiters)
};

struct log_manager_test_access {
    static flush_ticker_stats flush_stats(const log_manager& m);
    // Runs retention on every log now; returns segments deleted.
    static size_t enforce_retention_now(log_manager& m);
    // Runs a compaction pass on every log of a compacted topic now (forced:
    // regardless of dirty ratio); returns the number of passes that ran.
    static size_t compact_all_now(log_manager& m, bool force = true);
};

}  // namespace spate::storage
