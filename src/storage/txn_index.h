#pragma once

// A segment's transaction index (`<base offset, 20 digits>.txnindex`): one
// fixed-size entry per transaction aborted by a marker stored in that
// segment, in marker (= last_offset) order. Format: docs/formats/txn-index.md.
//
// Contracts:
// - The file is created on the first append; a segment with no aborted
//   transaction has no file.
// - append() writes the entry at once; durability comes with sync(), which
//   the owning segment runs together with its data sync (so a sealed
//   segment's index is durable before the segment is sealed).
// - open() keeps the longest valid prefix of the file: a torn tail (size not
//   a multiple of the entry size), an entry with an unknown version or one
//   out of order is cut off together with everything after it.
// - Threading: the owning log mutates it under its exclusive lock and reads
//   entries() under its shared lock. sync() may run concurrently with
//   anything (the log's group commit syncs without holding its lock), so the
//   file handle and the dirty flag have a mutex of their own.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "model/ids.h"
#include "storage/file.h"

namespace spate::storage {

struct aborted_txn_entry {
    int64_t producer_id = -1;
    int64_t first_offset = -1;        // first offset of the aborted transaction
    int64_t last_offset = -1;         // offset of its ABORT marker
    int64_t last_stable_offset = -1;  // the partition's LSO right after the marker
    bool operator==(const aborted_txn_entry&) const = default;
};

class txn_index {
  public:
    static constexpr int16_t k_version = 0;
    // version i16 | producer_id i64 | first_offset i64 | last_offset i64 |
    // last_stable_offset i64, big-endian.
    static constexpr size_t k_entry_size = 2 + 8 + 8 + 8 + 8;

    explicit txn_index(const std::filesystem::path& path) : _path(path.string()) {}

    // Loads the file if it exists (see the contract above for a damaged tail,
    // which is truncated on disk too). errc::io_error on I/O failure.
    status load();
    // Appends one entry; its last_offset must not be below the previous one's.
    status append(const aborted_txn_entry& e);
    // Drops every entry whose last_offset is >= `o` (log truncation, replay).
    status truncate_from(model::offset o);
    // Replaces the whole content (compaction carrying entries over); atomic.
    status rewrite(std::vector<aborted_txn_entry> entries);
    // fdatasyncs the file if it has unsynced appends.
    status sync();
    status remove();

    const std::vector<aborted_txn_entry>& entries() const { return _entries; }
    std::filesystem::path path() const { return _path; }

    static void encode(const aborted_txn_entry& e, std::byte* out);

  private:
    status ensure_open();  // requires _file_mu

    std::string _path;            // not a path: one allocation instead of one per component
    mutable std::mutex _file_mu;  // guards _file and _dirty
    std::shared_ptr<file> _file;
    std::vector<aborted_txn_entry> _entries;
    bool _dirty = false;
};

}  // namespace spate::storage
