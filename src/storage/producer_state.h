#pragma once

// Per-partition state of idempotent producers: for each producer id, its
// epoch and the sequence ranges and offsets of its last few batches, so that
// a retried batch is recognised (and answered with its original offsets)
// and a gap in sequences is refused. The state is derived from the log:
// it can always be rebuilt by replaying batch headers, and snapshots
// (docs/formats/producer-state.md) only shorten that replay.
//
// Rules (Kafka's): batches without a producer id carry no state. For a
// known producer, an older epoch is refused (INVALID_PRODUCER_EPOCH); a
// newer epoch must start at sequence 0; within an epoch a batch whose first
// and last sequence match one of the last `k_batches_retained` batches is a
// duplicate, and otherwise its first sequence must follow the last one
// (wrapping after INT32_MAX). A producer with no state (never seen, expired,
// or its batches removed by retention) may start at any sequence. Batches
// without a sequence (base sequence -1: markers, and the transactional
// offset commits a coordinator writes) are checked for their epoch only.
//
// Threading: none; the owning log serialises access under its append lock.

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "base/result.h"
#include "model/ids.h"
#include "model/record_batch.h"

namespace spate::storage {

// The producer fields of one batch header.
struct producer_batch_info {
    model::producer_id pid = model::k_no_producer_id;
    model::producer_epoch epoch = model::k_no_producer_epoch;
    int32_t first_seq = model::k_no_sequence;
    int32_t last_seq = model::k_no_sequence;
    int64_t max_timestamp = -1;
    bool transactional = false;
    bool control = false;

    static producer_batch_info from(const model::record_batch_view& b);
    // From the first batch_layout::header_size bytes of a batch (no CRC check:
    // for batches already validated in the log).
    static producer_batch_info from_header(std::span<const std::byte> header);
    bool has_producer() const { return pid.value() >= 0; }
};

// The last sequence of a batch starting at `first_seq` holding `delta + 1` records.
int32_t last_sequence(int32_t first_seq, int32_t delta);

enum class producer_verdict {
    append,                  // new batch: append it
    duplicate,               // a retry of a batch already in the log
    out_of_order_sequence,   // OUT_OF_ORDER_SEQUENCE_NUMBER
    invalid_producer_epoch,  // INVALID_PRODUCER_EPOCH
};

struct producer_check {
    producer_verdict verdict = producer_verdict::append;
    // For duplicates: the offsets the original batch got.
    model::offset first_offset;
    model::offset last_offset;
};

struct producer_batch_meta {
    int32_t first_seq = 0;
    int32_t last_seq = 0;
    int64_t first_offset = 0;
    int64_t last_offset = 0;
    int64_t timestamp = -1;
    bool operator==(const producer_batch_meta&) const = default;
};

struct producer_entry {
    model::producer_epoch epoch = model::k_no_producer_epoch;
    std::deque<producer_batch_meta> batches;  // oldest first, at most k_batches_retained
    int64_t last_timestamp = -1;              // max timestamp of the last batch
    int64_t last_offset = -1;                 // last offset of any batch (control included)
    // First offset of the producer's open transaction, or -1.
    int64_t txn_first_offset = -1;
    bool operator==(const producer_entry&) const = default;
};

class producer_state {
  public:
    static constexpr size_t k_batches_retained = 5;

    // The verdict for a batch about to be appended; batches without a
    // producer id always get `append`.
    producer_check check(const producer_batch_info& b) const;
    // Records a batch that was appended at [first, last].
    void update(const producer_batch_info& b, model::offset first, model::offset last);

    // Drops producers whose last batch is older than `expiry_ms` before
    // `now_ms` and that have no open transaction; returns how many.
    size_t expire(int64_t now_ms, int64_t expiry_ms);
    // Drops producers all of whose batches lie below `start` (retention,
    // DeleteRecords, compaction removing them).
    void drop_below(model::offset start);

    const producer_entry* find(model::producer_id pid) const;
    // The smallest first offset of any open transaction (O(1)); nullopt when
    // no transaction is open. This is what bounds the last stable offset.
    std::optional<model::offset> first_open_txn_offset() const;
    const std::map<int64_t, producer_entry>& entries() const { return _producers; }
    size_t size() const { return _producers.size(); }
    bool operator==(const producer_state&) const = default;

    // Snapshot encoding: the state after every batch below `next_offset`.
    std::vector<std::byte> encode(model::offset next_offset) const;
    struct decoded;
    // errc::corrupt for a bad magic, CRC or layout.
    static result<decoded> decode(std::span<const std::byte> data);

  private:
    std::map<int64_t, producer_entry> _producers;
    // (txn_first_offset, pid) of every producer with an open transaction;
    // derived from _producers and kept in step by every mutation.
    std::set<std::pair<int64_t, int64_t>> _open_txns;
};

struct producer_state::decoded {
    model::offset next_offset;
    producer_state state;
};

// Snapshot files: `<20-digit next offset>.snapshot` in a partition directory.
// write_snapshot writes to a temporary name, syncs and renames (crash-safe).
status write_producer_snapshot(const std::filesystem::path& dir, const producer_state& s,
                               model::offset next_offset);
// The newest valid snapshot whose next offset is <= `max_offset` (damaged
// or newer ones are skipped); nullopt when there is none.
result<std::optional<producer_state::decoded>> load_producer_snapshot(
    const std::filesystem::path& dir, model::offset max_offset);
// Deletes snapshots other than the newest `keep`, and any above `max_offset`
// (they describe log that no longer exists after a truncation).
status prune_producer_snapshots(const std::filesystem::path& dir, model::offset max_offset,
                                size_t keep);

}  // namespace spate::storage
