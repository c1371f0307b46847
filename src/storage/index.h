#pragma once

// Sparse per-segment indexes, held in memory and persisted to a file beside
// the segment. Both are append-only with strictly increasing keys; a damaged
// or missing file is rebuilt from the segment by the caller (see segment.cc).
//
// File formats (docs/formats/segment.md):
//   .index      8-byte entries: relative_offset u32 BE, position u32 BE
//   .timeindex 12-byte entries: timestamp i64 BE, relative_offset u32 BE
//
// Threading: not synchronised; the owning log serialises writers and lets
// readers in only under its shared lock.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/file.h"

namespace spate::storage {

struct offset_index_entry {
    uint32_t relative_offset;  // batch base offset - segment base offset
    uint32_t position;         // byte position of that batch in the .log file
    static constexpr size_t k_size = 8;
    bool operator==(const offset_index_entry&) const = default;
};

struct time_index_entry {
    int64_t timestamp;         // the segment's running max timestamp at this batch
    uint32_t relative_offset;  // base offset (relative) of the batch reaching it
    static constexpr size_t k_size = 12;
    bool operator==(const time_index_entry&) const = default;
};

static_assert(offset_index_entry::k_size == 2 * sizeof(uint32_t));
static_assert(time_index_entry::k_size == sizeof(int64_t) + sizeof(uint32_t));

template <typename Entry>
class index_file {
  public:
    explicit index_file(const std::filesystem::path& p) : _path(p.string()) {}

    // Loads entries from disk. A missing file yields errc::not_found; a file whose
    // size is not a whole number of entries, or whose keys do not strictly
    // increase, yields errc::corrupt (the caller rebuilds).
    status load();

    const std::vector<Entry>& entries() const { return _entries; }
    bool empty() const { return _entries.empty(); }
    const Entry& back() const { return _entries.back(); }

    // Appends an entry; keys must strictly increase (checked).
    void append(const Entry& e);
    void clear();

    // Writes entries not yet on disk (and shrinks the file if entries were
    // cleared); with `sync` also fdatasyncs it, unless nothing was written
    // since the last sync. The file is open only during the call.
    status flush(bool sync);
    // Deletes the file (a missing file is fine) and forgets every entry.
    status remove();
    std::filesystem::path path() const { return _path; }

  private:
    std::string _path;  // not a path: one allocation instead of one per component
    std::vector<Entry> _entries;
    size_t _on_disk = 0;     // entries known to be in the file
    bool _rewrite = false;   // file must be truncated before writing
    bool _unsynced = false;  // written since the last fdatasync
};

using offset_index = index_file<offset_index_entry>;
using time_index = index_file<time_index_entry>;

// Last entry with relative_offset <= rel, if any.
std::optional<offset_index_entry> floor_entry(const offset_index& idx, uint32_t rel);
// Last entry with timestamp < ts, if any.
std::optional<time_index_entry> last_entry_before(const time_index& idx, int64_t ts);

}  // namespace spate::storage
