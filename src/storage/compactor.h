#pragma once

// Building blocks of log compaction (cleanup.policy=compact), internal to
// storage; the pass itself is log_cleaner::compact() (log_cleaner.h, behind
// log::compact()), which snapshots segments, calls these, and swaps the
// results in. Formats and the crash protocol: docs/formats/compaction.md.
//
// Threading: nothing here locks. The functions read sealed segments through
// their data files (immutable while the caller holds them) and write only
// `.cleaned` / `.swap` files that no reader knows about; the caller
// serialises passes per log and holds the log's exclusive lock around
// commit_cleaned() + finish_swap().

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "model/ids.h"
#include "model/record_batch.h"
#include "model/records.h"
#include "storage/sealed_batch.h"
#include "storage/segment.h"

namespace spate::storage::compaction {

inline constexpr const char* k_cleaned_suffix = ".cleaned";
inline constexpr const char* k_swap_suffix = ".swap";
inline constexpr const char* k_checkpoint_file = "cleaner.checkpoint";

// The latest offset of every key seen, over the dirty section of a log. Keys
// are stored whole in one arena (no hash collision can ever make a live
// record look superseded); no allocation per key once the arena and the
// table have grown. Not thread-safe.
class offset_map {
  public:
    // Records `offset` for `key`; offsets must be put in increasing order.
    void put(std::span<const std::byte> key, int64_t offset);
    // The latest offset put for `key`.
    std::optional<int64_t> get(std::span<const std::byte> key) const;
    size_t size() const { return _size; }
    // Bytes held by the table and the key arena.
    size_t memory_bytes() const;

  private:
    struct slot {
        uint64_t hash = 0;
        uint64_t key_at = 0;  // into _keys
        uint32_t key_len = 0;
        int64_t offset = -1;  // -1: empty slot
    };
    size_t find(std::span<const std::byte> key, uint64_t hash) const;  // slot index
    void grow();

    std::vector<slot> _slots;
    std::vector<std::byte> _keys;
    size_t _size = 0;
};

// A sealed segment as the pass saw it (under the log's lock).
struct source_segment {
    std::shared_ptr<segment> seg;
    uint64_t size = 0;
    model::offset base;
    model::offset next;
};

// Reads the whole, CRC-checked batches of one segment file in order; with
// `cipher` (an encrypted topic) sealed batches are returned opened.
class batch_scanner {
  public:
    batch_scanner(std::shared_ptr<file> f, uint64_t size, const batch_cipher* cipher = nullptr);
    // The next batch (valid until the next call), or nullopt at the end.
    // errc::corrupt for a damaged batch: a pass never rewrites what it cannot read.
    result<std::optional<model::record_batch_view>> next();

  private:
    std::shared_ptr<file> _file;
    uint64_t _size;
    const batch_cipher* _cipher;
    uint64_t _pos = 0;
    std::vector<std::byte> _buf;
    uint64_t _buf_pos = 0;
    size_t _buf_len = 0;
};

// The aborted transactions whose records a pass removes, as offset ranges
// per producer: a transactional, non-control batch of producer P is aborted
// iff its base offset lies in [first offset, ABORT marker offset] of one of
// P's aborted transactions (a transaction's batches all lie in that range,
// and P writes nothing else transactional there). Built from the segments'
// transaction indexes (docs/formats/txn-index.md), which hold exactly one
// entry per aborted transaction, in the segment of its marker.
class aborted_ranges {
  public:
    // The aborts of the log whose segments are `segments` (all of them, in
    // order) that overlap [from, upto): marker at or after `from`, first
    // offset below `upto`. Reads the indexes' entries, so the caller holds
    // the log's lock (shared is enough). Like log::aborted_transactions it
    // stops at the first entry after which no transaction that started
    // below `upto` can still be open.
    static aborted_ranges collect(std::span<const std::shared_ptr<segment>> segments,
                                  model::offset from, model::offset upto);

    // Adds producer `pid`'s aborted transaction [first, last]; last = the
    // ABORT marker's offset. Duplicates are harmless.
    void add(int64_t pid, int64_t first, int64_t last);
    // Whether `b` is a transactional data batch of an aborted transaction.
    bool contains(const model::record_batch_view& b) const;
    bool empty() const { return _by_pid.empty(); }

  private:
    // Per producer id: [first, last] ranges sorted by first. Ranges of one
    // producer never overlap (its transactions are sequential).
    std::unordered_map<int64_t, std::vector<std::pair<int64_t, int64_t>>> _by_pid;
};

// What decides whether a record survives.
struct retention_rule {
    const offset_map* map = nullptr;  // latest offsets of the dirty section
    // One past the last offset the map covers. Tombstones at or above it get
    // no delete horizon yet: a horizon is only ever set on a tombstone the
    // map covered, so every older record of its key is gone before it can go.
    int64_t map_end = INT64_MAX;
    int64_t now_ms = 0;
    int64_t delete_retention_ms = 0;
    // Batches of aborted transactions lose all their records (and the map
    // must not have seen them, see log::compact). Null: none. The pass never
    // cleans at or past the last stable offset, so every transactional batch
    // it rewrites belongs to a decided transaction.
    const aborted_ranges* aborted = nullptr;
};

struct group_result {
    bool changed = false;  // some batch was dropped or rewritten
    uint64_t bytes_in = 0;
    uint64_t bytes_out = 0;
    uint64_t records_removed = 0;
    int64_t min_delete_horizon = INT64_MAX;  // of batches still holding tombstones
};

// For every producer id, the base offset of its last batch in `segments`.
result<std::unordered_map<int64_t, int64_t>> last_batch_per_producer(
    std::span<const source_segment> segments);

// Writes the compacted form of the consecutive segments `group` as
// `<base>.{log,index,timeindex}.cleaned` in `dir` (base = the first one's),
// fdatasynced when `changed` (unchanged output is for the caller to discard). Surviving records
// keep their offsets; every batch keeps its base and last offset; see compaction.md for which
// records and batches survive. errc::shutting_down once `abort` is set. With `cipher` (an
// encrypted topic) the sources' sealed batches are opened and the output's data batches sealed
// afresh with the active key.
result<group_result> write_cleaned_group(const std::filesystem::path& dir,
                                         std::span<const source_segment> group,
                                         const retention_rule& rule,
                                         const std::unordered_map<int64_t, int64_t>& last_of_pid,
                                         int64_t index_interval_bytes,
                                         const std::atomic<bool>& abort,
                                         const batch_cipher* cipher = nullptr);

// Removes the `.cleaned` (and uncommitted `.swap`) files of `base`.
void remove_cleaned(const std::filesystem::path& dir, model::offset base);

// Commit point: renames the cleaned index files and then the cleaned log to
// `.swap`, and fsyncs `dir`. Once `<base>.log.swap` exists the swap is
// finished by finish_swap() here or by recover() after a crash.
status commit_cleaned(const std::filesystem::path& dir, model::offset base);

// Points where tests make a pass stop as if the process died there, leaving
// the files exactly as a crash would (fault injection: reachable only
// through log_test_access::compact_until_crash in storage/testing.h).
enum class stop_point {
    none,
    after_cleaned,       // cleaned files written and synced, nothing committed
    after_commit,        // `.swap` files in place, nothing replaced yet
    after_delete,        // replaced segments deleted, `.swap` files not renamed
    after_index_rename,  // index `.swap` files renamed, the log `.swap` not yet
};

// Deletes the segments `replaced` (other than `base`) and renames the
// `<base>.*.swap` files over `<base>.*`, fsyncing `dir` between the steps.
// `stop` (tests only) returns errc::io_error at that point.
status finish_swap(const std::filesystem::path& dir, model::offset base,
                   std::span<const model::offset> replaced, stop_point stop = stop_point::none);

// Run on open before segments are loaded: deletes `*.cleaned` and
// uncommitted index `.swap` files and finishes every committed swap.
status recover(const std::filesystem::path& dir);

// The persisted first dirty offset; nullopt when absent or unreadable (a
// pass then treats the whole log as dirty, which is always safe).
std::optional<int64_t> read_checkpoint(const std::filesystem::path& dir);
status write_checkpoint(const std::filesystem::path& dir, int64_t first_dirty);

}  // namespace spate::storage::compaction
