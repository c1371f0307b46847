#include "bytes/crc32c.h"
#include "bytes/crc32c_testing.h"

#include <array>
#include <cstring>

#include "bytes/endian.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace spate::bytes {

namespace {

// Reflected Castagnoli polynomial.
constexpr uint32_t k_poly = 0x82F63B78u;

using slice_tables = std::array<std::array<uint32_t, 256>, 8>;

// tables[0] is the classic byte-at-a-time table; tables[k][b] is the CRC
// register contribution of byte b followed by k zero bytes.
constexpr slice_tables make_slice_tables() {
    slice_tables t{};
    for (uint32_t b = 0; b < 256; ++b) {
        uint32_t c = b;
        for (int i = 0; i < 8; ++i)
            c = (c >> 1) ^ (k_poly & (0u - (c & 1u)));
        t[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; ++b) {
        for (size_t k = 1; k < 8; ++k)
            t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
    }
    return t;
}

constexpr slice_tables k_tables = make_slice_tables();

// Operates on the raw (pre-inverted) register.
uint32_t portable_raw(uint32_t crc, const std::byte* p, size_t n) {
    while (n >= 8) {
        uint64_t w = load_le<uint64_t>(p) ^ crc;
        crc = k_tables[7][w & 0xff] ^ k_tables[6][(w >> 8) & 0xff] ^ k_tables[5][(w >> 16) & 0xff] ^
              k_tables[4][(w >> 24) & 0xff] ^ k_tables[3][(w >> 32) & 0xff] ^
              k_tables[2][(w >> 40) & 0xff] ^ k_tables[1][(w >> 48) & 0xff] ^ k_tables[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = (crc >> 8) ^ k_tables[0][(crc ^ static_cast<uint8_t>(*p++)) & 0xff];
    return crc;
}

#if defined(__x86_64__)

// Three independent streams hide the 3-cycle latency of the crc32
// instruction. Each stream covers `len` bytes; the partial CRCs are merged by
// "shifting" a register over `len` zero bytes, a linear map on 32 bits that is
// precomputed as four byte-indexed tables.
constexpr size_t k_long_len = 8192;
constexpr size_t k_short_len = 256;

struct shift_tables {
    std::array<std::array<uint32_t, 256>, 4> t;

    uint32_t apply(uint32_t crc) const {
        return t[0][crc & 0xff] ^ t[1][(crc >> 8) & 0xff] ^ t[2][(crc >> 16) & 0xff] ^
               t[3][crc >> 24];
    }
};

// The register after processing `len` zero bytes starting from `crc`.
uint32_t zeros_raw(uint32_t crc, size_t len) {
    static constexpr std::byte k_zeros[64] = {};
    while (len) {
        size_t n = len < sizeof(k_zeros) ? len : sizeof(k_zeros);
        crc = portable_raw(crc, k_zeros, n);
        len -= n;
    }
    return crc;
}

shift_tables make_shift_tables(size_t len) {
    // The map is linear, so build it from the images of the 32 basis vectors.
    std::array<uint32_t, 32> basis{};
    for (int bit = 0; bit < 32; ++bit)
        basis[bit] = zeros_raw(1u << bit, len);
    shift_tables s{};
    for (int k = 0; k < 4; ++k) {
        for (uint32_t b = 0; b < 256; ++b) {
            uint32_t v = 0;
            for (int bit = 0; bit < 8; ++bit) {
                if (b & (1u << bit)) v ^= basis[8 * k + bit];
            }
            s.t[k][b] = v;
        }
    }
    return s;
}

struct hw_state {
    bool available = false;
    shift_tables long_shift{};
    shift_tables short_shift{};
};

const hw_state& hw() {
    static const hw_state s = [] {
        hw_state h;
        __builtin_cpu_init();
        h.available = __builtin_cpu_supports("sse4.2");
        if (h.available) {
            h.long_shift = make_shift_tables(k_long_len);
            h.short_shift = make_shift_tables(k_short_len);
        }
        return h;
    }();
    return s;
}

__attribute__((target("sse4.2"))) uint32_t hw_three_way(uint32_t crc, const std::byte*& p,
                                                        size_t& n, size_t len,
                                                        const shift_tables& shift) {
    while (n >= 3 * len) {
        uint64_t c0 = crc, c1 = 0, c2 = 0;
        const std::byte* p0 = p;
        const std::byte* p1 = p + len;
        const std::byte* p2 = p + 2 * len;
        for (size_t i = 0; i < len; i += 8) {
            uint64_t w0, w1, w2;
            std::memcpy(&w0, p0 + i, 8);
            std::memcpy(&w1, p1 + i, 8);
            std::memcpy(&w2, p2 + i, 8);
            c0 = _mm_crc32_u64(c0, w0);
            c1 = _mm_crc32_u64(c1, w1);
            c2 = _mm_crc32_u64(c2, w2);
        }
        crc = shift.apply(shift.apply(static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1)) ^
              static_cast<uint32_t>(c2);
        p += 3 * len;
        n -= 3 * len;
    }
    return crc;
}

__attribute__((target("sse4.2"))) uint32_t hw_raw(uint32_t crc, const std::byte* p, size_t n,
                                                  const hw_state& h) {
    // Align to 8 bytes so the wide loads below do not straddle cache lines.
    while (n && (reinterpret_cast<uintptr_t>(p) & 7)) {
        crc = _mm_crc32_u8(crc, static_cast<uint8_t>(*p++));
        --n;
    }
    crc = hw_three_way(crc, p, n, k_long_len, h.long_shift);
    crc = hw_three_way(crc, p, n, k_short_len, h.short_shift);
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        n -= 8;
    }
    crc = static_cast<uint32_t>(c);
    while (n--)
        crc = _mm_crc32_u8(crc, static_cast<uint8_t>(*p++));
    return crc;
}

#endif  // __x86_64__

}  // namespace

uint32_t crc32c_portable(std::span<const std::byte> data, uint32_t crc) {
    return ~portable_raw(~crc, data.data(), data.size());
}

uint32_t crc32c(std::span<const std::byte> data, uint32_t crc) {
#if defined(__x86_64__)
    const hw_state& h = hw();
    if (h.available) return ~hw_raw(~crc, data.data(), data.size(), h);
#endif
    return crc32c_portable(data, crc);
}

bool crc32c_hardware_available() {
#if defined(__x86_64__)
    return hw().available;
#else
    return false;
#endif
}

}  // namespace spate::bytes
