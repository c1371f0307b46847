#include "model/record_layout.h"

#include <string>

#include "bytes/varint.h"

namespace spate::model {

namespace {

// A zigzag varint of at most `max` bytes at `p`, one-byte values inline.
inline bool varint(const std::byte*& p, const std::byte* end, int64_t& out, size_t max) {
    if (p < end && static_cast<uint8_t>(*p) < 0x80) {
        const auto u = static_cast<uint8_t>(*p++);
        out = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
        return true;
    }
    uint64_t u = 0;
    const size_t n = bytes::get_uvarint(p, end, u, max);
    if (n == 0 || (max == bytes::k_max_varint32_bytes && u > UINT32_MAX)) return false;
    out = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    p += n;
    return true;
}

// Skips a length-prefixed byte string (-1: null, when `nullable`).
inline bool skip_bytes(const std::byte*& p, const std::byte* end, bool nullable) {
    int64_t len = 0;
    if (!varint(p, end, len, bytes::k_max_varint32_bytes)) return false;
    if (len == -1 && nullable) return true;
    if (len < 0 || len > end - p) return false;
    p += len;
    return true;
}

// One record at `p` (advanced past it); false when it is malformed.
inline bool check_record(const std::byte*& p, const std::byte* end, int64_t last_delta) {
    int64_t length = 0;
    if (!varint(p, end, length, bytes::k_max_varint32_bytes)) return false;
    if (length < 0 || length > end - p) return false;
    const std::byte* rec_end = p + length;
    int64_t v = 0;
    if (p == rec_end) return false;  // attributes
    ++p;
    if (!varint(p, rec_end, v, bytes::k_max_varint64_bytes)) return false;  // timestamp delta
    if (!varint(p, rec_end, v, bytes::k_max_varint32_bytes) || v < 0 || v > last_delta)
        return false;  // offset delta
    if (!skip_bytes(p, rec_end, true) || !skip_bytes(p, rec_end, true)) return false;
    int64_t headers = 0;
    if (!varint(p, rec_end, headers, bytes::k_max_varint32_bytes) || headers < 0 ||
        headers > (rec_end - p) / 2)
        return false;
    for (int64_t h = 0; h < headers; ++h)
        if (!skip_bytes(p, rec_end, false) || !skip_bytes(p, rec_end, true)) return false;
    return p == rec_end;
}

}  // namespace

status check_uncompressed_records(const record_batch_view& batch) {
    if (batch.compression_type() != compression::none)
        return make_error(errc::invalid_argument, "compressed batch: decode it to check records");
    const auto records = batch.records_bytes();
    const std::byte* p = records.data();
    const std::byte* end = p + records.size();
    const int32_t count = batch.records_count();
    const int64_t last_delta = batch.last_offset_delta();
    for (int32_t i = 0; i < count; ++i) {
        if (!check_record(p, end, last_delta))
            return make_error(errc::corrupt, "record " + std::to_string(i) + " is malformed");
    }
    if (p != end)
        return make_error(errc::corrupt, std::to_string(end - p) + " bytes trail the last record");
    return {};
}

}  // namespace spate::model
