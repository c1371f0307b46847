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
//
// The class is a facade over parts with one concern each, all internal to
// storage: log_state.h (the shared state and lock), log_append.h (append
// path and producer checks), log_read.h (reads and transaction queries),
// group_commit.h (durability), log_retention.h, log_recovery.h and
// log_cleaner.h (compaction passes). Test hooks: storage/testing.h.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "model/ids.h"
#include "storage/config.h"
#include "storage/log_types.h"
#include "storage/producer_state.h"

namespace spate::storage {

struct log_state;
class log_cleaner;
class batch_cipher;

class log : public std::enable_shared_from_this<log> {
  public:
    // Called with the log whenever a when_durable() waiter needs a sync; the
    // owner must arrange for sync() to run soon on another thread.
    using sync_scheduler = std::function<void(std::shared_ptr<log>)>;

    // Opens (or creates) the log in `dir`. Without `clean_shutdown` the active
    // segment is fully validated and truncated at the first invalid batch.
    // A topic with spate.encryption=true needs `cipher` (errc::invalid_argument
    // otherwise): its data batches are sealed on append and compaction and
    // opened on read (storage/sealed_batch.h); others ignore it.
    static result<std::shared_ptr<log>> open(const std::filesystem::path& dir, topic_config config,
                                             bool clean_shutdown, clock_fn clock = system_now_ms,
                                             std::shared_ptr<const batch_cipher> cipher = nullptr);
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

    model::offset log_start_offset() const;
    model::offset log_end_offset() const;
    model::offset durable_offset() const;

    // Makes every offset appended before the call durable (group commit).
    status sync();
    // When the last sync() began (steady clock; the epoch if never): a
    // scheduler pacing syncs holds the next one until this plus its interval.
    std::chrono::steady_clock::time_point last_sync_start() const;
    // Blocks until offsets below `o` are durable, syncing as needed.
    status wait_durable(model::offset o);
    // Calls `done` once offsets below `o` are durable (inline if they already
    // are; otherwise on the thread that completes the covering sync, with
    // that sync's error if it failed). Without a scheduler the sync runs
    // inline.
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
    // True when the topic's flush policy asks for a sync now, or a
    // durability waiter is pending.
    bool flush_due(int64_t now_ms) const;

    // Moves the log start to `o` (DeleteRecords), deleting whole segments below it.
    status delete_records_before(model::offset o);
    // Applies retention.ms / retention.bytes; returns the number of segments
    // deleted. Also forgets producers idle longer than a day.
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
    // Makes a running pass stop soon (its cleaned files are discarded) and
    // every later pass do nothing; for shutdown.
    void stop_compaction();

    // A copy of the idempotent-producer state (DescribeProducers).
    producer_state producers() const;

    void set_config(topic_config c);
    topic_config config() const;
    uint64_t size_bytes() const;
    const std::filesystem::path& dir() const;

    // Seals the active segment and syncs data and indexes; later appends fail.
    status close();

  private:
    friend struct log_test_access;

    log(std::filesystem::path dir, topic_config config, clock_fn clock);

    std::unique_ptr<log_state> _state;      // every part's shared state (log_state.h)
    std::unique_ptr<log_cleaner> _cleaner;  // compaction passes (log_cleaner.h)
};

}  // namespace spate::storage
