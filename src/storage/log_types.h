#pragma once

// Value types of storage::log's contract (storage/log.h): what append, read
// and compaction return, and the compaction knobs.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "base/result.h"
#include "model/ids.h"
#include "storage/file.h"

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

class batch_cipher;

// A byte range of one segment file holding whole batches. The file stays
// readable while the chunk is held, even if retention deletes the segment.
// With `cipher` (an encrypted topic) the range holds sealed batches: the
// bytes must be read through read_result::copy_to, which opens them, never
// sent as they are; `size` is then the stored size, an upper bound of the
// plaintext's.
struct read_chunk {
    std::shared_ptr<file> data_file;
    uint64_t position = 0;
    size_t size = 0;
    std::shared_ptr<const batch_cipher> cipher;
};

struct read_result {
    std::optional<read_chunk> chunk;  // empty when there is nothing to return
    model::offset log_start_offset;
    model::offset log_end_offset;

    // Appends the chunk's batches to `out`, in plaintext (sealed batches
    // opened; errc::corrupt if one fails to open, `out` then unchanged).
    status copy_to(std::vector<std::byte>& out) const;
    // The same into `dest`, which holds at least chunk->size bytes; returns
    // the plaintext's size (at most chunk->size; 0 without a chunk).
    result<size_t> copy_into(std::span<std::byte> dest) const;
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

}  // namespace spate::storage
