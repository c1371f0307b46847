#pragma once

// Building v2 record batches into one contiguous buffer, ready for the wire or
// the log. Records get consecutive offset deltas 0, 1, 2, ... in add() order.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "model/ids.h"
#include "model/record_batch.h"
#include "model/records.h"

namespace spate::model {

struct record_batch_options {
    model::offset base_offset{0};
    int32_t partition_leader_epoch = -1;
    model::producer_id producer_id = k_no_producer_id;
    model::producer_epoch producer_epoch = k_no_producer_epoch;
    int32_t base_sequence = k_no_sequence;
    bool transactional = false;
    bool control = false;
    compression compression_type = compression::none;
    // Sets the log-append-time attribute. max_timestamp is still the largest
    // record timestamp: pass the append time to add() (or call
    // set_log_append_time() on the result) to get Kafka's semantics.
    bool log_append_time = false;
};

// Accumulates records and encodes them as one batch. Keys, values and headers
// are copied during add(), so the caller's buffers may be reused at once.
// Internal buffers are kept across finish()/reset(), so a reused builder does
// not allocate per record once warmed up. Sizes beyond the format's int32
// limits are caller bugs (asserted). Not thread-safe.
class record_batch_builder {
  public:
    explicit record_batch_builder(record_batch_options options = {}) : _options(options) {}

    // Drops the records added so far; keeps (or replaces) the options.
    void reset() { clear_records(); }
    void reset(const record_batch_options& options) {
        _options = options;
        clear_records();
    }

    const record_batch_options& options() const { return _options; }

    void add(int64_t timestamp, std::optional<std::span<const std::byte>> key,
             std::optional<std::span<const std::byte>> value,
             std::span<const record_header> headers = {});

    int32_t record_count() const { return static_cast<int32_t>(_entries.size()); }
    bool empty() const { return _entries.empty(); }
    // The uncompressed batch size if finished now (exact for compression::none).
    size_t uncompressed_size_bytes() const;

    // Encodes the batch: header fields (last offset delta, base timestamp =
    // the smallest record timestamp, max timestamp = the largest, records
    // count, batch length, CRC32C) and the records section, compressed as the
    // options ask. An empty batch has timestamps k_no_timestamp and last
    // offset delta 0. Leaves the builder empty with the same options.
    std::vector<std::byte> finish();

    // As finish(), appending the batch to `out`.
    void finish_into(std::vector<std::byte>& out);

  private:
    struct entry {
        int64_t timestamp;
        size_t tail_offset;  // into _tails: offset delta, key, value, headers
        size_t tail_size;
    };

    void clear_records();
    // Appends the encoded records to `out`; base_ts is the batch base timestamp.
    void encode_records(std::vector<std::byte>& out, int64_t base_ts) const;

    record_batch_options _options;
    std::vector<entry> _entries;
    std::vector<std::byte> _tails;
    std::vector<std::byte> _records;  // uncompressed section when compressing
    int64_t _min_ts = 0;
    int64_t _max_ts = 0;
};

// A control batch holding one transaction marker (see records.h for the
// encoding), with the transactional and control attributes set, no
// compression and no base sequence.
std::vector<std::byte> build_control_batch(control_record_type type, int32_t coordinator_epoch,
                                           int64_t timestamp, model::producer_id pid,
                                           model::producer_epoch epoch,
                                           model::offset base_offset = model::offset(0),
                                           int32_t partition_leader_epoch = -1);

}  // namespace spate::model
