#pragma once

// Decoding the records inside a v2 record batch. Each record is:
//
//   length          varint   bytes after this field
//   attributes      int8     (unused by Kafka, carried through)
//   timestamp_delta varlong  relative to the batch base_timestamp
//   offset_delta    varint   relative to the batch base_offset
//   key_length      varint   -1 = null key
//   key             bytes
//   value_length    varint   -1 = null value
//   value           bytes
//   header_count    varint
//   headers         [key_length varint (>= 0), key, value_length varint (-1 = null), value]
//
// Nothing here owns record bytes: every view points into the batch or into
// the decompression scratch buffer, and is valid only while both live and are
// not modified.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/ids.h"
#include "model/record_batch.h"

namespace spate::model {

// Upper bound on a batch's decompressed records section unless the caller
// passes its own; larger batches are rejected with errc::too_large.
inline constexpr size_t k_default_max_decompressed_batch = size_t{128} << 20;

// One record header, non-owning. Used both for reading and for building.
struct record_header {
    std::string_view key;
    std::optional<std::span<const std::byte>> value;  // nullopt: a null value
};

// The headers of one record, already validated by the reader; iterating them
// never allocates and cannot fail.
class header_range {
  public:
    class iterator {
      public:
        using iterator_category = std::input_iterator_tag;
        using value_type = record_header;
        using difference_type = std::ptrdiff_t;
        using pointer = const record_header*;
        using reference = const record_header&;

        iterator() = default;
        const record_header& operator*() const { return _current; }
        const record_header* operator->() const { return &_current; }
        iterator& operator++();
        iterator operator++(int) {
            iterator old = *this;
            ++*this;
            return old;
        }
        bool operator==(const iterator& o) const { return _remaining == o._remaining; }

      private:
        friend class header_range;
        iterator(const std::byte* p, const std::byte* end, int32_t remaining);
        void decode();

        const std::byte* _p = nullptr;
        const std::byte* _end = nullptr;
        int32_t _remaining = 0;
        record_header _current;
    };

    header_range() = default;

    iterator begin() const { return iterator(_raw.data(), _raw.data() + _raw.size(), _count); }
    iterator end() const { return iterator(); }
    int32_t size() const { return _count; }
    bool empty() const { return _count == 0; }
    // The encoded headers (after the header count), e.g. to copy them verbatim.
    std::span<const std::byte> raw() const { return _raw; }

  private:
    friend class record_reader;
    header_range(std::span<const std::byte> raw, int32_t count) : _raw(raw), _count(count) {}

    std::span<const std::byte> _raw;
    int32_t _count = 0;
};

struct record_view {
    int8_t attributes = 0;
    int64_t timestamp_delta = 0;
    int32_t offset_delta = 0;
    std::optional<std::span<const std::byte>> key;    // nullopt: a null key
    std::optional<std::span<const std::byte>> value;  // nullopt: a null value (tombstone)
    header_range headers;

    // Calls f(const record_header&) for each header in order.
    template <typename F>
    void for_each_header(F&& f) const {
        for (const record_header& h : headers)
            f(h);
    }
};

// Walks the records of one batch, validating as it goes: every length and
// varint is bounds-checked, a record's length must equal the bytes its fields
// use, offset deltas must lie in [0, last_offset_delta], the number of records
// must equal the header's records_count, and no bytes may follow the last
// record. Violations are errc::corrupt. Not thread-safe; no heap allocation
// per record.
class record_reader {
  public:
    // A reader over `batch`. The batch's bytes must outlive the reader and every
    // view it returns. A compressed records section is decompressed into
    // `scratch` (cleared first; same lifetime requirement, and the caller must
    // not modify it meanwhile). Errors: errc::corrupt (bad magic, bad
    // compressed data, unknown codec), errc::too_large (decompressed size over
    // `max_decompressed`).
    static result<record_reader> create(const record_batch_view& batch,
                                        std::vector<std::byte>& scratch,
                                        size_t max_decompressed = k_default_max_decompressed_batch);

    // As above, with a scratch buffer owned by the reader (moving the reader
    // keeps returned views valid).
    static result<record_reader> create(const record_batch_view& batch,
                                        size_t max_decompressed = k_default_max_decompressed_batch);

    // Decodes the next record into `out`: true if one was read, false once all
    // records have been read and the section was found to end exactly there.
    // After an error every further call fails too.
    result<bool> next(record_view& out);

    // Calls f(const record_view&) for every remaining record; returns the
    // first decoding error, if any.
    template <typename F>
    status for_each(F&& f) {
        record_view r;
        for (;;) {
            auto more = next(r);
            if (!more.ok()) return more.err();
            if (!*more) return {};
            f(static_cast<const record_view&>(r));
        }
    }

    const record_batch_view& batch() const { return _batch; }
    // Records not yet returned by next().
    int32_t remaining() const { return _remaining; }

    model::offset offset_of(const record_view& r) const {
        return _batch.base_offset() + r.offset_delta;
    }
    // The record's timestamp: base_timestamp + delta, or the batch's
    // max_timestamp when the batch uses log-append time.
    int64_t timestamp_of(const record_view& r) const;

  private:
    record_reader(const record_batch_view& batch, std::span<const std::byte> records)
        : _batch(batch)
        , _pos(records.data())
        , _end(records.data() + records.size())
        , _remaining(batch.records_count()) {}
    static result<record_reader> init(const record_batch_view& batch,
                                      std::vector<std::byte>& scratch, size_t max_decompressed,
                                      bool own_scratch);
    error fail(std::string message);

    record_batch_view _batch;
    std::vector<std::byte> _own_scratch;
    const std::byte* _pos;
    const std::byte* _end;
    int32_t _remaining;
    int32_t _index = 0;
    bool _failed = false;
};

// Decodes every record of `batch` and reports the first problem, if any.
status validate_records(const record_batch_view& batch, std::vector<std::byte>& scratch,
                        size_t max_decompressed = k_default_max_decompressed_batch);

// The absolute offset of the first record (in batch order) whose timestamp is
// >= `ts`, or nullopt if none is. Record timestamps are as in
// record_reader::timestamp_of. Batches whose max_timestamp is below `ts` are
// answered from the header alone. Errors as for record_reader.
result<std::optional<model::offset>> first_offset_with_timestamp_at_least(
    const record_batch_view& batch, int64_t ts, std::vector<std::byte>& scratch);

// Transaction markers: the single record of a control batch.
enum class control_record_type : int16_t { abort = 0, commit = 1 };

struct control_marker {
    control_record_type type = control_record_type::abort;
    int32_t coordinator_epoch = 0;
};

// Control record key: int16 version (0), int16 type.
// Control record value: int16 version (0), int32 coordinator epoch.
inline constexpr int16_t k_control_record_version = 0;
inline constexpr size_t k_control_key_size = 4;
inline constexpr size_t k_control_value_size = 6;

// Decodes a commit/abort marker. Errors: errc::corrupt for a missing or short
// key or value; errc::unsupported for other control record types (Kafka
// also defines e.g. leader-change records), which callers may skip.
result<control_marker> parse_control_marker(const record_view& r);

}  // namespace spate::model
