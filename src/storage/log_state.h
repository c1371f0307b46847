#pragma once

// The state that the parts of a storage::log share (internal to storage):
// the segment list under the log's lock, the offsets, the producer state,
// and the durability part. The parts are free functions over it
// (log_append.h, log_read.h, log_retention.h, log_recovery.h) plus the
// cleaner (log_cleaner.h); storage::log (log.h) owns one and forwards.
//
// Locking: `mu` guards segments, config, closed and producers; appends,
// rolls, retention and the compaction swap hold it exclusively, reads hold
// it shared. start and end are atomics written under the exclusive lock
// and readable without it. Lock order: the cleaner's pass mutex, then `mu`,
// then group_commit's mutex.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "model/ids.h"
#include "storage/config.h"
#include "storage/group_commit.h"
#include "storage/log_types.h"
#include "storage/producer_state.h"
#include "storage/sealed_batch.h"
#include "storage/segment.h"

namespace spate::storage {

struct log_state {
    log_state(std::filesystem::path dir, topic_config config, clock_fn clock);

    const std::filesystem::path dir;
    const std::string name;  // the directory's name, "<topic>-<partition>", for log messages
    const clock_fn clock;

    mutable std::shared_mutex mu;
    std::vector<std::shared_ptr<segment>> segments;  // never empty once open; last = active
    topic_config config;
    bool closed = false;
    producer_state producers;
    // The offset of the newest producer snapshot written or loaded; -1 none.
    int64_t snapshot_offset = -1;

    std::atomic<int64_t> start{0};
    std::atomic<int64_t> end{0};
    std::atomic<uint64_t> appended_bytes{0};

    group_commit durability;

    // Set by log::open for encrypted topics, then never changed: data
    // batches are sealed with it (storage/sealed_batch.h). Null: plaintext.
    std::shared_ptr<const batch_cipher> cipher;

    // Index into `segments` of the segment holding `o` (the first one when
    // `o` is below it). Requires mu.
    size_t segment_index_for(model::offset o) const;
    // Whether the active segment must roll before taking `bytes` more bytes
    // whose last offset is `last_offset` (segment.bytes, segment.ms, or
    // max.compaction.lag.ms for compacted topics, and the 32-bit relative
    // offset limit). Requires mu.
    bool roll_due_locked(uint64_t bytes, int64_t last_offset, int64_t now_ms) const;
    // Seals and syncs the active segment, starts a new one and snapshots the
    // producer state. Requires mu exclusively.
    status roll_locked(int64_t now_ms);
    // Writes a producer snapshot at the log end and prunes old ones, unless
    // one exists there already or the log never had data. Requires mu.
    status snapshot_producers_locked();
    // Persists the log start offset (partition.meta).
    status persist_start_offset(int64_t start_offset);
    // Deletes the files of segments already taken out of `segments`; a
    // failure is logged (the next open removes what is below the log start).
    void remove_segments(std::vector<std::shared_ptr<segment>> doomed) const;
};

// The last stable offset given the producers and the log end: the first
// offset of the earliest open transaction, else `end`.
int64_t stable_offset(const producer_state& p, int64_t end);

// The file holding the persisted log start offset.
inline constexpr const char* k_partition_meta = "partition.meta";

}  // namespace spate::storage
