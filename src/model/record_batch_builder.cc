#include "model/record_batch_builder.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "bytes/crc32c.h"
#include "bytes/endian.h"
#include "bytes/varint.h"
#include "model/compression.h"

namespace spate::model {

namespace {

constexpr size_t k_int32_max = static_cast<size_t>(INT32_MAX);

// Timestamp deltas use wrapping arithmetic so that any pair of int64
// timestamps round-trips (the reader adds them back the same way).
int64_t wrapping_sub(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

size_t nullable_bytes_size(const std::optional<std::span<const std::byte>>& b) {
    if (!b) return bytes::varint32_size(-1);
    SPATE_ASSERT_MSG(b->size() <= k_int32_max, "record field larger than INT32_MAX bytes");
    return bytes::varint32_size(static_cast<int32_t>(b->size())) + b->size();
}

std::byte* put_nullable_bytes(std::byte* p, const std::optional<std::span<const std::byte>>& b) {
    if (!b) return p + bytes::put_varint32(p, -1);
    p += bytes::put_varint32(p, static_cast<int32_t>(b->size()));
    if (!b->empty()) std::memcpy(p, b->data(), b->size());
    return p + b->size();
}

std::span<const std::byte> as_span(std::string_view s) {
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

}  // namespace

void record_batch_builder::clear_records() {
    _entries.clear();
    _tails.clear();
    _min_ts = 0;
    _max_ts = 0;
}

void record_batch_builder::add(int64_t timestamp, std::optional<std::span<const std::byte>> key,
                               std::optional<std::span<const std::byte>> value,
                               std::span<const record_header> headers) {
    SPATE_ASSERT_MSG(_entries.size() < k_int32_max, "too many records for one batch");
    SPATE_ASSERT_MSG(headers.size() <= k_int32_max, "too many headers");
    int32_t offset_delta = static_cast<int32_t>(_entries.size());

    size_t size = bytes::varint32_size(offset_delta) + nullable_bytes_size(key) +
                  nullable_bytes_size(value) +
                  bytes::varint32_size(static_cast<int32_t>(headers.size()));
    for (const record_header& h : headers) {
        size += nullable_bytes_size(as_span(h.key)) + nullable_bytes_size(h.value);
    }
    // The record's own length field and timestamp delta are added at finish,
    // once the base timestamp is known; leave room for them in the int32.
    SPATE_ASSERT_MSG(size <= k_int32_max - 1 - bytes::k_max_varint64_bytes, "record too large");

    size_t at = _tails.size();
    _tails.resize(at + size);
    std::byte* p = _tails.data() + at;
    p += bytes::put_varint32(p, offset_delta);
    p = put_nullable_bytes(p, key);
    p = put_nullable_bytes(p, value);
    p += bytes::put_varint32(p, static_cast<int32_t>(headers.size()));
    for (const record_header& h : headers) {
        p = put_nullable_bytes(p, as_span(h.key));
        p = put_nullable_bytes(p, h.value);
    }
    SPATE_ASSERT(p == _tails.data() + _tails.size());

    if (_entries.empty()) {
        _min_ts = _max_ts = timestamp;
    } else {
        _min_ts = std::min(_min_ts, timestamp);
        _max_ts = std::max(_max_ts, timestamp);
    }
    _entries.push_back(entry{timestamp, at, size});
}

size_t record_batch_builder::uncompressed_size_bytes() const {
    size_t total = batch_layout::header_size;
    for (const entry& e : _entries) {
        size_t body = 1 + bytes::varint64_size(wrapping_sub(e.timestamp, _min_ts)) + e.tail_size;
        total += bytes::varint32_size(static_cast<int32_t>(body)) + body;
    }
    return total;
}

void record_batch_builder::encode_records(std::vector<std::byte>& out, int64_t base_ts) const {
    for (const entry& e : _entries) {
        int64_t delta = wrapping_sub(e.timestamp, base_ts);
        size_t body = 1 + bytes::varint64_size(delta) + e.tail_size;
        std::array<std::byte, bytes::k_max_varint32_bytes + 1 + bytes::k_max_varint64_bytes> head;
        std::byte* p = head.data();
        p += bytes::put_varint32(p, static_cast<int32_t>(body));
        *p++ = std::byte{0};  // record attributes
        p += bytes::put_varint64(p, delta);
        out.insert(out.end(), head.data(), p);
        out.insert(out.end(), _tails.begin() + static_cast<std::ptrdiff_t>(e.tail_offset),
                   _tails.begin() + static_cast<std::ptrdiff_t>(e.tail_offset + e.tail_size));
    }
}

void record_batch_builder::finish_into(std::vector<std::byte>& out) {
    const record_batch_options& o = _options;
    size_t start = out.size();
    bool has_records = !_entries.empty();
    int64_t base_ts = has_records ? _min_ts : k_no_timestamp;
    int64_t max_ts = has_records ? _max_ts : k_no_timestamp;

    out.resize(start + batch_layout::header_size);
    if (o.compression_type == compression::none) {
        size_t need = start + uncompressed_size_bytes();
        if (out.capacity() < need) out.reserve(std::max(need, 2 * out.capacity()));
        encode_records(out, base_ts);
    } else {
        _records.clear();
        encode_records(_records, base_ts);
        auto st = compress(o.compression_type, _records, out);
        SPATE_ASSERT_MSG(st.ok(), st.ok() ? "" : st.err().message.c_str());
    }
    size_t total = out.size() - start;
    SPATE_ASSERT_MSG(total - batch_layout::log_overhead <= k_int32_max, "batch too large");

    int16_t attrs = static_cast<int16_t>(o.compression_type) & batch_attr::compression_mask;
    if (o.log_append_time) attrs |= batch_attr::timestamp_log_append;
    if (o.transactional) attrs |= batch_attr::transactional;
    if (o.control) attrs |= batch_attr::control;

    std::byte* h = out.data() + start;
    namespace layout = batch_layout;
    bytes::store_be<int64_t>(h + layout::base_offset, o.base_offset.value());
    bytes::store_be<int32_t>(h + layout::batch_length,
                             static_cast<int32_t>(total - layout::log_overhead));
    bytes::store_be<int32_t>(h + layout::partition_leader_epoch, o.partition_leader_epoch);
    bytes::store_be<int8_t>(h + layout::magic, k_magic_v2);
    bytes::store_be<int16_t>(h + layout::attributes, attrs);
    bytes::store_be<int32_t>(h + layout::last_offset_delta, has_records ? record_count() - 1 : 0);
    bytes::store_be<int64_t>(h + layout::base_timestamp, base_ts);
    bytes::store_be<int64_t>(h + layout::max_timestamp, max_ts);
    bytes::store_be<int64_t>(h + layout::producer_id, o.producer_id.value());
    bytes::store_be<int16_t>(h + layout::producer_epoch, o.producer_epoch.value());
    bytes::store_be<int32_t>(h + layout::base_sequence, o.base_sequence);
    bytes::store_be<int32_t>(h + layout::records_count, record_count());
    uint32_t c = bytes::crc32c(
        std::span<const std::byte>(h + layout::attributes, total - layout::attributes));
    bytes::store_be<uint32_t>(h + layout::crc, c);

    clear_records();
}

std::vector<std::byte> record_batch_builder::finish() {
    std::vector<std::byte> out;
    finish_into(out);
    return out;
}

std::vector<std::byte> build_control_batch(control_record_type type, int32_t coordinator_epoch,
                                           int64_t timestamp, model::producer_id pid,
                                           model::producer_epoch epoch, model::offset base_offset,
                                           int32_t partition_leader_epoch) {
    record_batch_options o;
    o.base_offset = base_offset;
    o.partition_leader_epoch = partition_leader_epoch;
    o.producer_id = pid;
    o.producer_epoch = epoch;
    o.base_sequence = k_no_sequence;
    o.transactional = true;
    o.control = true;
    std::array<std::byte, k_control_key_size> key;
    bytes::store_be<int16_t>(key.data(), k_control_record_version);
    bytes::store_be<int16_t>(key.data() + 2, static_cast<int16_t>(type));
    std::array<std::byte, k_control_value_size> value;
    bytes::store_be<int16_t>(value.data(), k_control_record_version);
    bytes::store_be<int32_t>(value.data() + 2, coordinator_epoch);
    record_batch_builder b(o);
    b.add(timestamp, std::span<const std::byte>(key), std::span<const std::byte>(value));
    return b.finish();
}

}  // namespace spate::model
