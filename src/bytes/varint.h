#pragma once

// Variable-length integers as Kafka encodes them: unsigned LEB128 ("unsigned
// varint", used by compact protocol types) and zigzag-signed varint/varlong
// (used inside v2 records). Decoders never read past `end`; they return the
// number of bytes consumed, or 0 when the input is truncated or overlong.

#include <cstddef>
#include <cstdint>

namespace spate::bytes {

inline constexpr size_t k_max_varint32_bytes = 5;
inline constexpr size_t k_max_varint64_bytes = 10;

inline constexpr uint32_t zigzag_encode32(int32_t v) {
    return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
inline constexpr int32_t zigzag_decode32(uint32_t v) {
    return static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1));
}
inline constexpr uint64_t zigzag_encode64(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline constexpr int64_t zigzag_decode64(uint64_t v) {
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

// Writes `v` at `out` (which has room for k_max_varint64_bytes); returns bytes written.
inline size_t put_uvarint(std::byte* out, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = static_cast<std::byte>(static_cast<uint8_t>(v) | 0x80);
        v >>= 7;
    }
    out[n++] = static_cast<std::byte>(v);
    return n;
}

inline size_t uvarint_size(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

// Decodes an unsigned varint of at most `max_bytes` bytes.
inline size_t get_uvarint(const std::byte* p, const std::byte* end, uint64_t& out,
                          size_t max_bytes = k_max_varint64_bytes) {
    uint64_t v = 0;
    for (size_t i = 0; i < max_bytes && i < k_max_varint64_bytes && p + i < end; ++i) {
        auto b = static_cast<uint8_t>(p[i]);
        // The 10th byte holds only bit 63: anything more (payload or a further
        // continuation) would not fit in 64 bits, so reject it as overlong.
        if (i == k_max_varint64_bytes - 1 && b > 1) return 0;
        v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            out = v;
            return i + 1;
        }
    }
    return 0;
}

inline size_t get_uvarint32(const std::byte* p, const std::byte* end, uint32_t& out) {
    uint64_t v = 0;
    size_t n = get_uvarint(p, end, v, k_max_varint32_bytes);
    if (n == 0 || v > UINT32_MAX) return 0;
    out = static_cast<uint32_t>(v);
    return n;
}

inline size_t put_varint32(std::byte* out, int32_t v) {
    return put_uvarint(out, zigzag_encode32(v));
}
inline size_t put_varint64(std::byte* out, int64_t v) {
    return put_uvarint(out, zigzag_encode64(v));
}
inline size_t varint32_size(int32_t v) {
    return uvarint_size(zigzag_encode32(v));
}
inline size_t varint64_size(int64_t v) {
    return uvarint_size(zigzag_encode64(v));
}

inline size_t get_varint32(const std::byte* p, const std::byte* end, int32_t& out) {
    uint32_t u = 0;
    size_t n = get_uvarint32(p, end, u);
    if (n) out = zigzag_decode32(u);
    return n;
}

inline size_t get_varint64(const std::byte* p, const std::byte* end, int64_t& out) {
    uint64_t u = 0;
    size_t n = get_uvarint(p, end, u, k_max_varint64_bytes);
    if (n) out = zigzag_decode64(u);
    return n;
}

}  // namespace spate::bytes
