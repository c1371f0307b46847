#pragma once

// A partition's log: an ordered list of segments in one directory, the last
// of which (the active segment) takes appends.
//
// Contracts:
// - append() validates every batch (length, magic, CRC, max.message.bytes)
//   before touching the log, assigns offsets in place and writes the batches
//   verbatim. Either all batches of one call are appended or none.
// - Offsets below durable_offset() are on stable storage. sync() makes
//   everything appended so far durable; concurrent callers share one
//   fdatasync (group commit).
// - read() returns whole batches only, and never a byte beyond the last batch
//   that was completely written (or failed validation at recovery).
// - Threading: all methods are safe to call from any thread. Appends are
//   serialised; reads run concurrently with each other and with appends.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <vector>

#include "base/result.h"
#include "model/ids.h"
#include "storage/compactor.h"
#include "storage/config.h"
#include "storage/producer_state.h"
#include "storage/segment.h"

namespace spate::storage {

using clock_fn = std::function<int64_t()>;  // wall-clock milliseconds
int64_t system_now_ms();

struct append_result {
    model::offset base_offset;     // first offset assigned
    model::offset last_offset;     // last offset assigned
    int64_t log_append_time = -1;  // set when the topic uses LogAppendTime
    // An idempotent producer's retry of a batch already in the log: nothing
    // was written and the offsets are the original batch's.
    bool duplicate = false;
};

// A byte range of one segment file holding whole batches. The file stays
// readable while the chunk is held, even if retention deletes the segment.
struct read_chunk {
    std::shared_ptr<file> data_file;
    uint64_t position = 0;
    size_t size = 0;
};

struct read_result {
    std::optional<read_chunk> chunk;  // empty when there is nothing to return
    model::offset log_start_offset;
    model::offset log_end_offset;

    // Appends the chunk's bytes to `out`.
    status copy_to(std::vector<std::byte>& out) const;
};

// An aborted transaction as Fetch (read_committed) reports it.
struct aborted_transaction {
    model::producer_id producer_id;
    model::offset first_offset;
    bool operator==(const aborted_transaction&) const = default;
};

// Knobs of one compaction pass (log::compact).
struct compaction_options {
    // Memory for the key -> latest offset map; a pass whose dirty section
    // holds more keys cleans a prefix of it and the next pass continues.
    size_t map_memory_bytes = size_t{128} << 20;
    // Clean even if the dirty ratio and max.compaction.lag.ms do not ask for it.
    bool force = false;
    // Tests only: make the first swap stop as if the process died there.
    compaction::stop_point simulate_crash = compaction::stop_point::none;
};

struct compaction_result {
    bool ran = false;           // false: not compacted, not due, or nothing cleanable
    int64_t first_dirty = 0;    // checkpoint before the pass
    int64_t cleaned_to = 0;     // checkpoint after it (first offset not yet cleaned)
    uint64_t bytes_before = 0;  // of the segments rewritten
    uint64_t bytes_after = 0;
    uint64_t records_removed = 0;
    size_t segments_replaced = 0;  // source segments swapped out
    size_t segments_written = 0;   // cleaned segments swapped in
};

// Running totals since open, for metrics.
struct compaction_counters {
    uint64_t passes = 0;
    uint64_t bytes_removed = 0;
    uint64_t records_removed = 0;
    int64_t last_clean_ms = -1;  // wall clock of the last pass that ran
};

class log : public std::enable_shared_from_this<log> {
  public:
    // Called with the log whenever a when_durable() waiter needs a sync; the
    // owner must arrange for sync() to run soon on another thread.
    using sync_scheduler = std::function<void(std::shared_ptr<log>)>;

    // Opens (or creates) the log in `dir`. Without `clean_shutdown` the active
    // segment is fully validated and truncated at the first invalid batch.
    static result<std::shared_ptr<log>> open(const std::filesystem::path& dir, topic_config config,
                                             bool clean_shutdown, clock_fn clock = system_now_ms);
    ~log();

    // Batches with a producer id go through the idempotent-producer checks
    // (storage/producer_state.h) and must come one per call
    // (errc::invalid_argument otherwise): errc::out_of_order_sequence,
    // errc::producer_fenced, or a duplicate (see append_result). Control
    // batches are refused (errc::invalid_argument): only append_marker()
    // writes transaction markers.
    result<append_result> append(std::span<std::byte> batches);

    // Transactions (Kafka semantics; docs/formats/txn-index.md).
    //
    // Appends a COMMIT or ABORT marker for `pid`: a control batch (attributes
    // transactional|control, base sequence -1) holding one
    // EndTransactionMarker record, timestamped now. errc::producer_fenced when
    // `epoch` is older than the producer's current epoch. A marker for a
    // producer without an open transaction is still written. An ABORT that
    // ends an open transaction adds {pid, first offset, marker offset, LSO
    // after the marker} to the active segment's transaction index. The
    // marker is durable like any append (sync()/wait_durable()).
    result<append_result> append_marker(model::producer_id pid, model::producer_epoch epoch,
                                        bool commit, int32_t coordinator_epoch);
    // The first offset of the earliest open transaction, else the log end
    // (high watermark = log end on a single node); never below the log start.
    // O(1) under the shared lock.
    model::offset last_stable_offset() const;
    // Aborted transactions overlapping [from, upto): those whose marker is at
    // or after `from` and whose first offset is below `upto`, oldest marker
    // first, scanning from the segment holding `from`. What a read_committed
    // Fetch returns for a response spanning [from, upto).
    result<std::vector<aborted_transaction>> aborted_transactions(model::offset from,
                                                                  model::offset upto) const;

    // Whole batches starting with the one that contains `from`, at least one
    // batch (even if larger than max_bytes), only batches ending below
    // `limit` (default: the log end). errc::out_of_range when `from` is below
    // the log start or above the log end.
    result<read_result> read(model::offset from, size_t max_bytes,
                             std::optional<model::offset> limit = std::nullopt) const;

    // Offset of the first record whose timestamp is >= ts; nullopt if none.
    result<std::optional<model::offset>> offset_for_timestamp(int64_t ts) const;

    model::offset log_start_offset() const { return model::offset(_start.load()); }
    model::offset log_end_offset() const { return model::offset(_end.load()); }
    model::offset durable_offset() const { return model::offset(_durable.load()); }

    // Makes every offset appended before the call durable (group commit).
    status sync();
    // Blocks until offsets below `o` are durable, syncing as needed.
    status wait_durable(model::offset o);
    // Calls `done` once offsets below `o` are durable (inline if they already
    // are; otherwise on the thread that completes the covering sync). Requires
    // a scheduler, else syncs inline.
    void when_durable(model::offset o, std::function<void(status)> done);
    void set_sync_scheduler(sync_scheduler s);

    // Dirty tracking for the owner's flush ticker. `n` is called with the log
    // (on the appending thread, under the append lock: it must only record
    // the log) when an append leaves unsynced offsets in a log not marked
    // dirty; the mark stays until still_dirty() drops it.
    using dirty_notifier = std::function<void(std::shared_ptr<log>)>;
    void set_dirty_notifier(dirty_notifier n);
    // For the owner, about a log it took out of its dirty set: true when the
    // log holds unsynced offsets and must go back into the set; false when it
    // is clean (mark dropped) or a concurrent append re-marked it (that
    // append notified again).
    bool still_dirty();
    // The topic's flush policy as the ticker needs it, without locks.
    struct flush_policy {
        bool any = false;              // flush.messages, flush.bytes or flush.ms set
        bool by_time_or_size = false;  // flush.ms or flush.bytes set: ask flush_due()
        int64_t messages = INT64_MAX;
    };
    flush_policy policy() const;
    // True when the topic's flush policy asks for a sync now.
    bool flush_due(int64_t now_ms) const;
    bool has_durability_waiters() const;

    // Moves the log start to `o` (DeleteRecords), deleting whole segments below it.
    status delete_records_before(model::offset o);
    // Applies retention.ms / retention.bytes; returns the number of segments deleted.
    result<size_t> enforce_retention(int64_t now_ms);

    // One compaction pass (cleanup.policy=compact; docs/formats/compaction.md):
    // runs when forced, when the dirty ratio reaches min.cleanable.dirty.ratio,
    // when the first dirty record is older than max.compaction.lag.ms, or when
    // a retained tombstone's delete horizon has passed. Never touches the
    // active segment nor segments holding records newer than
    // min.compaction.lag.ms. Readers and appends continue meanwhile; the swap
    // of each cleaned segment takes the exclusive lock briefly. Passes on one
    // log are serialised. An I/O error after a swap was committed on disk
    // closes the log (appends fail) rather than serve a mismatched view.
    result<compaction_result> compact(int64_t now_ms, const compaction_options& o = {});
    compaction_counters compaction_stats() const;
    // Makes a running pass stop soon (its cleaned files are discarded) and
    // every later pass do nothing; for shutdown.
    void stop_compaction() { _compaction_abort = true; }

    // A copy of the idempotent-producer state (DescribeProducers).
    producer_state producers() const;
    // Producers idle longer than this are forgotten by enforce_retention().
    static constexpr int64_t k_producer_id_expiration_ms = 24LL * 3600 * 1000;

    void set_config(topic_config c);
    topic_config config() const;
    uint64_t size_bytes() const;
    size_t segment_count() const;
    const std::filesystem::path& dir() const { return _dir; }

    // Seals the active segment and syncs data and indexes; later appends fail.
    status close();

  private:
    log(std::filesystem::path dir, topic_config config, clock_fn clock);
    status recover(bool clean_shutdown);
    status roll_locked(int64_t now_ms);
    status persist_start_offset(int64_t start);
    // Rebuilds _producers from the newest usable snapshot plus the batch
    // headers after it. Requires _mu (or exclusive use during open).
    // Also repairs the transaction indexes of the replayed segments: entries
    // at or past the log end are dropped, and aborts past an index's last
    // entry are re-derived from the markers.
    status rebuild_producer_state();
    // Writes a producer snapshot at the log end and prunes old ones. Requires _mu.
    status snapshot_producers_locked();
    size_t segment_index_for(model::offset o) const;  // requires _mu
    void remove_segments(std::vector<std::shared_ptr<segment>> doomed);
    void complete_waiters(status s);
    // Whether the sources are still consecutive sealed segments of the log,
    // and where the first one sits; requires _mu.
    std::optional<size_t> locate_sources(std::span<const std::shared_ptr<segment>> sources) const;

    std::filesystem::path _dir;
    clock_fn _clock;

    mutable std::shared_mutex _mu;  // guards _segments, _config, _closed
    std::vector<std::shared_ptr<segment>> _segments;
    topic_config _config;
    bool _closed = false;
    producer_state _producers;  // guarded by _mu (exclusive)

    std::atomic<int64_t> _start{0};
    std::atomic<int64_t> _end{0};
    std::atomic<int64_t> _durable{0};
    std::atomic<uint64_t> _appended_bytes{0};
    // Copies of the flush policy, readable without _mu.
    std::atomic<int64_t> _flush_messages;
    std::atomic<int64_t> _flush_bytes;
    std::atomic<int64_t> _flush_ms;

    // Group commit state; lock order: _mu before _sync_mu.
    mutable std::mutex _sync_mu;
    std::condition_variable _sync_cv;
    bool _sync_in_progress = false;
    uint64_t _durable_bytes = 0;
    int64_t _last_sync_ms = 0;
    std::multimap<int64_t, std::function<void(status)>> _waiters;
    sync_scheduler _scheduler;
    // Dirty tracking (set_dirty_notifier); the notifier is guarded by _mu.
    void mark_dirty();
    std::atomic<bool> _dirty_marked{false};
    dirty_notifier _dirty_notifier;

    // Compaction state. _compact_mu serialises passes (held for a whole pass,
    // never while waiting for _mu in a way that could block appends for long:
    // lock order _compact_mu before _mu).
    std::mutex _compact_mu;
    int64_t _first_dirty = -1;  // guarded by _compact_mu; -1: not loaded yet
    std::atomic<bool> _compaction_abort{false};
    // Earliest delete horizon among batches still holding tombstones, as seen
    // by the last pass (in memory only, like Kafka's).
    std::atomic<int64_t> _delete_horizon{INT64_MAX};
    mutable std::mutex _counters_mu;
    compaction_counters _counters;
};

}  // namespace spate::storage
