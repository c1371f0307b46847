#pragma once

// Kafka record batch v2 ("magic 2") header view. The view never owns memory:
// it points into a buffer the caller keeps alive (a request, a mapped or read
// segment chunk). Layout (all big-endian), byte offsets from the batch start:
//
//   0  base_offset            int64
//   8  batch_length           int32   bytes after this field
//  12  partition_leader_epoch int32
//  16  magic                  int8    == 2
//  17  crc                    uint32  CRC32C of bytes [21, end)
//  21  attributes             int16
//  23  last_offset_delta      int32
//  27  base_timestamp         int64
//  35  max_timestamp          int64
//  43  producer_id            int64
//  51  producer_epoch         int16
//  53  base_sequence          int32
//  57  records_count          int32
//  61  records...
//
// Records inside are decoded by `record_reader` (records.h).

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "bytes/endian.h"
#include "model/ids.h"

namespace spate::model {

namespace batch_layout {
inline constexpr size_t base_offset = 0;
inline constexpr size_t batch_length = 8;
inline constexpr size_t partition_leader_epoch = 12;
inline constexpr size_t magic = 16;
inline constexpr size_t crc = 17;
inline constexpr size_t attributes = 21;
inline constexpr size_t last_offset_delta = 23;
inline constexpr size_t base_timestamp = 27;
inline constexpr size_t max_timestamp = 35;
inline constexpr size_t producer_id = 43;
inline constexpr size_t producer_epoch = 51;
inline constexpr size_t base_sequence = 53;
inline constexpr size_t records_count = 57;
inline constexpr size_t header_size = 61;
// base_offset + batch_length: the bytes not counted by batch_length.
inline constexpr size_t log_overhead = 12;
}  // namespace batch_layout

static_assert(batch_layout::header_size == 61);
static_assert(batch_layout::crc + 4 == batch_layout::attributes);
static_assert(batch_layout::records_count + 4 == batch_layout::header_size);

inline constexpr int8_t k_magic_v2 = 2;

enum class compression : uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

namespace batch_attr {
inline constexpr int16_t compression_mask = 0x07;
inline constexpr int16_t timestamp_log_append = 0x08;
inline constexpr int16_t transactional = 0x10;
inline constexpr int16_t control = 0x20;
inline constexpr int16_t delete_horizon = 0x40;
}  // namespace batch_attr

class record_batch_view {
  public:
    // Reads only the 12-byte prefix: the total size of the batch starting at
    // `data`, or an error if fewer than 12 bytes are present or the declared
    // length is impossible (smaller than a header, larger than `max_size`).
    static result<size_t> peek_size(std::span<const std::byte> data, size_t max_size);

    // Validates the batch at the start of `data`: enough bytes for the declared
    // length, magic 2, a consistent records count and last offset delta, and
    // the CRC. The returned view covers exactly that batch.
    static result<record_batch_view> parse(std::span<const std::byte> data);

    // Like parse() but skips the CRC check (for callers that verified it).
    static result<record_batch_view> parse_unchecked_crc(std::span<const std::byte> data);

    std::span<const std::byte> bytes() const { return _data; }
    size_t size_bytes() const { return _data.size(); }

    model::offset base_offset() const { return model::offset(i64(batch_layout::base_offset)); }
    int32_t last_offset_delta() const { return i32(batch_layout::last_offset_delta); }
    model::offset last_offset() const { return base_offset() + last_offset_delta(); }
    int32_t partition_leader_epoch() const { return i32(batch_layout::partition_leader_epoch); }
    int8_t magic() const { return static_cast<int8_t>(_data[batch_layout::magic]); }
    uint32_t crc() const { return bytes::load_be<uint32_t>(_data.data() + batch_layout::crc); }
    int16_t attributes() const { return i16(batch_layout::attributes); }
    compression compression_type() const {
        return static_cast<compression>(attributes() & batch_attr::compression_mask);
    }
    bool is_transactional() const { return attributes() & batch_attr::transactional; }
    bool is_control() const { return attributes() & batch_attr::control; }
    int64_t base_timestamp() const { return i64(batch_layout::base_timestamp); }
    int64_t max_timestamp() const { return i64(batch_layout::max_timestamp); }
    model::producer_id producer_id() const {
        return model::producer_id(i64(batch_layout::producer_id));
    }
    model::producer_epoch producer_epoch() const {
        return model::producer_epoch(i16(batch_layout::producer_epoch));
    }
    int32_t base_sequence() const { return i32(batch_layout::base_sequence); }
    int32_t records_count() const { return i32(batch_layout::records_count); }
    std::span<const std::byte> records_bytes() const {
        return _data.subspan(batch_layout::header_size);
    }

    // CRC32C over [attributes, end) as stored in the header.
    uint32_t compute_crc() const;

  private:
    explicit record_batch_view(std::span<const std::byte> d) : _data(d) {}
    int16_t i16(size_t at) const { return bytes::load_be<int16_t>(_data.data() + at); }
    int32_t i32(size_t at) const { return bytes::load_be<int32_t>(_data.data() + at); }
    int64_t i64(size_t at) const { return bytes::load_be<int64_t>(_data.data() + at); }

    std::span<const std::byte> _data;
};

// In-place header edits on a batch the caller owns. None of the edited fields
// is covered by the CRC (base offset and leader epoch precede it), so the CRC
// stays valid.
void set_base_offset(std::span<std::byte> batch, model::offset o);
void set_partition_leader_epoch(std::span<std::byte> batch, int32_t epoch);

// Rewrites max_timestamp (and the log-append-time attribute) and recomputes the
// CRC, for topics with message.timestamp.type=LogAppendTime.
void set_log_append_time(std::span<std::byte> batch, int64_t timestamp_ms);

}  // namespace spate::model
