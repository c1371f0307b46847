// md5(text): the RFC 1321 digest as 32 lower-case hex digits.

#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>

#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

constexpr std::array<uint32_t, 64> k_shift = {
    7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 5,  9,  14, 20, 5,  9,
    14, 20, 5,  9,  14, 20, 5,  9,  14, 20, 4,  11, 16, 23, 4,  11, 16, 23, 4,  11, 16, 23,
    4,  11, 16, 23, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21};

std::array<uint32_t, 64> make_sines() {
    std::array<uint32_t, 64> k{};
    for (size_t i = 0; i < 64; ++i) {
        k[i] = static_cast<uint32_t>(
            std::floor(std::fabs(std::sin(static_cast<double>(i + 1))) * 4294967296.0));
    }
    return k;
}

uint32_t rotl(uint32_t x, uint32_t c) {
    return (x << c) | (x >> (32 - c));
}

void md5_block(const unsigned char* p, uint32_t h[4]) {
    static const std::array<uint32_t, 64> k_sines = make_sines();
    uint32_t m[16];
    for (int i = 0; i < 16; ++i) {
        m[i] = uint32_t(p[i * 4]) | uint32_t(p[i * 4 + 1]) << 8 | uint32_t(p[i * 4 + 2]) << 16 |
               uint32_t(p[i * 4 + 3]) << 24;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (uint32_t i = 0; i < 64; ++i) {
        uint32_t f, g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        f = f + a + k_sines[i] + m[g];
        a = d;
        d = c;
        c = b;
        b = b + rotl(f, k_shift[i]);
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
}

void md5_hex(std::string_view s, std::string& out) {
    uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    size_t full = s.size() / 64 * 64;
    for (size_t i = 0; i < full; i += 64) {
        md5_block(reinterpret_cast<const unsigned char*>(s.data()) + i, h);
    }
    unsigned char tail[128] = {};
    size_t rest = s.size() - full;
    std::memcpy(tail, s.data() + full, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest < 56 ? 64 : 128;
    uint64_t bits = static_cast<uint64_t>(s.size()) * 8;
    for (int i = 0; i < 8; ++i)
        tail[tail_len - 8 + i] = static_cast<unsigned char>(bits >> (8 * i));
    for (size_t i = 0; i < tail_len; i += 64)
        md5_block(tail + i, h);
    static constexpr char k_hex[] = "0123456789abcdef";
    out.clear();
    for (uint32_t w : h) {
        for (int i = 0; i < 4; ++i) {
            unsigned byte = (w >> (8 * i)) & 0xff;
            out += k_hex[byte >> 4];
            out += k_hex[byte & 0xf];
        }
    }
}

}  // namespace

void register_md5(registry& r) {
    r.add(
        "md5", {type_id::text}, type_id::text,
        fallible<std::string, std::string_view>([](std::string& o, sql_error&, std::string_view s) {
            md5_hex(s, o);
            return true;
        }));
}

}  // namespace spate::sql::detail
