#pragma once

// One segment of a partition's log: a .log file of Kafka v2 record batches
// stored verbatim, named by the segment's base offset, with a sparse offset
// index and a time index beside it (formats in docs/formats/segment.md).
//
// Threading: a segment has no lock of its own. The owning `log` serialises
// mutations (append, seal, truncate) under its exclusive lock and allows
// lookups under its shared lock. The data file may be read through
// `data_file()` with pread from any thread without a lock: bytes below `size()`
// observed under the log lock never change until the segment is deleted.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "model/ids.h"
#include "storage/file.h"
#include "storage/index.h"
#include "storage/txn_index.h"

namespace spate::storage {

// Where one batch sits in a segment and what it covers.
struct batch_position {
    model::offset base_offset;
    model::offset last_offset;
    int64_t max_timestamp = -1;
    uint64_t position = 0;  // byte position in the .log file
    uint32_t size = 0;      // whole batch, including the 12-byte prefix
};

struct recovery_stats {
    uint64_t batches_checked = 0;
    uint64_t bytes_truncated = 0;
    bool index_rebuilt = false;
};

// Segment file names: base offset zero-padded to 20 digits + extension.
std::string segment_file_name(model::offset base, const char* extension);

// Process-wide (spate.log.writeback.bytes, set at start): every how many
// appended bytes a segment starts their disk write; 0 leaves it to the
// kernel. Safe from any thread.
void set_writeback_bytes(uint64_t bytes);
uint64_t writeback_bytes();
inline constexpr uint64_t k_default_writeback_bytes = 4 << 20;

class segment {
  public:
    // Largest batch a segment scan will accept; anything larger is corruption.
    static constexpr uint32_t k_max_batch_bytes = 64u << 20;

    // Creates an empty segment. A non-empty `suffix` is appended to all three
    // file names (the compactor builds `.cleaned` segments this way); such a
    // segment is only written, sealed and synced, then renamed by its owner.
    static result<std::shared_ptr<segment>> create(const std::filesystem::path& dir,
                                                   model::offset base, int64_t index_interval_bytes,
                                                   int64_t now_ms, const std::string& suffix = "");

    // Opens an existing segment. With `full_check`, every batch is read and
    // CRC-validated and the file is truncated at the first invalid batch (used
    // for the active segment after an unclean shutdown). Otherwise the indexes
    // are loaded, checked against the data and rebuilt by a full check when
    // missing or damaged.
    static result<std::shared_ptr<segment>> open(const std::filesystem::path& dir,
                                                 model::offset base, int64_t index_interval_bytes,
                                                 bool full_check, int64_t now_ms,
                                                 recovery_stats& stats);

    model::offset base_offset() const { return _base; }
    // One past the last offset stored; equals base_offset() when empty.
    model::offset next_offset() const { return _next; }
    uint64_t size() const { return _size; }
    bool empty() const { return _size == 0; }
    int64_t max_timestamp() const { return _max_timestamp; }
    // Wall-clock time of the first append (or of opening), for segment.ms rolls.
    int64_t first_append_ms() const { return _first_append_ms; }
    const std::shared_ptr<file>& data_file() const { return _log; }
    // Appends start the disk write of every writeback_bytes() they add
    // (file::start_writeback), so that no sync finds megabytes of this
    // segment dirty: neither this log's acks=all group commit nor the
    // journal commit of another log's fdatasync, which in ext4's ordered
    // mode first writes out every dirty page of the transaction (an acks=1
    // topic's backlog then stalled another topic's acks=all answers for
    // 100-200 ms). Bytes below writeback_started() have been handed over.
    uint64_t writeback_started() const { return _writeback_from; }

    // Appends `data`, which holds exactly `batches` back to back with offsets
    // already assigned; batch positions are relative to `data`. Offsets must
    // continue from next_offset() upwards.
    status append(std::span<const std::byte> data, std::span<const batch_position> batches,
                  int64_t now_ms);

    // The batch containing `o`, or the first batch after it; nullopt when `o`
    // is at or past next_offset().
    result<std::optional<batch_position>> find_batch(model::offset o) const;

    // The first batch whose max timestamp is >= ts; nullopt if none.
    result<std::optional<batch_position>> find_by_timestamp(int64_t ts) const;

    // End position of the run of whole batches that starts at `start`, holds
    // at least one batch, adds further batches while the run stays within
    // `max_bytes`, and holds only batches whose last offset is below `limit`.
    // Returns `start` when the first batch is already at or past `limit`.
    result<uint64_t> read_end(uint64_t start, size_t max_bytes, model::offset limit) const;

    // Header of the batch at `pos` (which must be a batch boundary below size()).
    result<batch_position> header_at(uint64_t pos) const;

    // Adds the final time index entry; called when the segment stops being active.
    void seal();
    status flush_indexes(bool sync);
    // Syncs the data file and the transaction index, and the first time
    // after create() also the directory entry.
    status sync_data();
    // Deletes the data file and every index, the transaction index included.
    status remove_files();

    // Aborted transactions whose ABORT marker lies in this segment
    // (storage/txn_index.h). Loaded by open(); the owning log appends to it
    // and truncates it under its exclusive lock.
    txn_index& txns() { return _txn_index; }
    const txn_index& txns() const { return _txn_index; }

  private:
    segment(const std::filesystem::path& dir, model::offset base, int64_t index_interval_bytes,
            const std::string& suffix = "");
    status full_scan(recovery_stats& stats);
    status load_indexes_and_tail(recovery_stats& stats);
    void index_batch(const batch_position& b);

    std::string _dir;  // not a path: one allocation instead of one per component
    model::offset _base;
    model::offset _next;
    uint64_t _size = 0;
    uint64_t _writeback_from = 0;  // see writeback_started()
    int64_t _max_timestamp = -1;
    model::offset _max_timestamp_offset;
    int64_t _first_append_ms = 0;
    int64_t _index_interval;
    uint64_t _bytes_since_index = 0;
    std::shared_ptr<file> _log;
    std::atomic<bool> _dir_unsynced{false};  // create() has not been followed by a sync
    std::mutex _dir_sync_mu;                 // serialises that first directory sync
    offset_index _offset_index;
    time_index _time_index;
    txn_index _txn_index;
};

}  // namespace spate::storage
