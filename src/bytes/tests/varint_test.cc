#include "bytes/varint.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace spate::bytes {
namespace varint_test {
namespace {

using buf = std::array<std::byte, 16>;

TEST(varint, unsigned_round_trips_at_byte_boundaries) {
    std::vector<uint64_t> values = {0, 1, UINT64_MAX};
    for (int bits = 7; bits < 64; bits += 7) {
        uint64_t edge = uint64_t{1} << bits;
        values.insert(values.end(), {edge - 1, edge, edge + 1});
    }
    values.insert(values.end(), {UINT32_MAX, uint64_t{UINT32_MAX} + 1, UINT64_MAX - 1});
    for (uint64_t v : values) {
        buf b{};
        size_t n = put_uvarint(b.data(), v);
        EXPECT_EQ(n, uvarint_size(v)) << v;
        EXPECT_LE(n, k_max_varint64_bytes);
        uint64_t out = 0;
        EXPECT_EQ(get_uvarint(b.data(), b.data() + n, out), n) << v;
        EXPECT_EQ(out, v);
    }
}

TEST(varint, sizes_grow_every_seven_bits) {
    EXPECT_EQ(uvarint_size(0), 1u);
    EXPECT_EQ(uvarint_size(127), 1u);
    EXPECT_EQ(uvarint_size(128), 2u);
    EXPECT_EQ(uvarint_size(16383), 2u);
    EXPECT_EQ(uvarint_size(16384), 3u);
    EXPECT_EQ(uvarint_size(UINT32_MAX), 5u);
    EXPECT_EQ(uvarint_size(UINT64_MAX), 10u);
}

TEST(varint, zigzag_maps_small_magnitudes_to_small_codes) {
    EXPECT_EQ(zigzag_encode32(0), 0u);
    EXPECT_EQ(zigzag_encode32(-1), 1u);
    EXPECT_EQ(zigzag_encode32(1), 2u);
    EXPECT_EQ(zigzag_encode32(-2), 3u);
    EXPECT_EQ(zigzag_encode32(INT32_MAX), UINT32_MAX - 1);
    EXPECT_EQ(zigzag_encode32(INT32_MIN), UINT32_MAX);
    EXPECT_EQ(zigzag_encode64(-1), 1u);
    EXPECT_EQ(zigzag_encode64(INT64_MIN), UINT64_MAX);
    for (int32_t v : {0, 1, -1, 63, -64, 64, -65, INT32_MAX, INT32_MIN, INT32_MIN + 1}) {
        EXPECT_EQ(zigzag_decode32(zigzag_encode32(v)), v);
    }
    for (int64_t v : {int64_t{0}, int64_t{-1}, INT64_MAX, INT64_MIN, int64_t{INT32_MIN} - 1}) {
        EXPECT_EQ(zigzag_decode64(zigzag_encode64(v)), v);
    }
}

TEST(varint, signed_round_trips_at_boundaries) {
    for (int32_t v : {0, 1, -1, 63, -64, 64, -65, 8191, -8192, INT32_MAX, INT32_MIN}) {
        buf b{};
        size_t n = put_varint32(b.data(), v);
        EXPECT_EQ(n, varint32_size(v));
        int32_t out = 0;
        EXPECT_EQ(get_varint32(b.data(), b.data() + n, out), n);
        EXPECT_EQ(out, v);
    }
    for (int64_t v :
         {int64_t{0}, int64_t{-1}, INT64_MAX, INT64_MIN, int64_t{1} << 40, -(int64_t{1} << 40)}) {
        buf b{};
        size_t n = put_varint64(b.data(), v);
        EXPECT_EQ(n, varint64_size(v));
        int64_t out = 0;
        EXPECT_EQ(get_varint64(b.data(), b.data() + n, out), n);
        EXPECT_EQ(out, v);
    }
    EXPECT_EQ(varint32_size(INT32_MIN), 5u);
    EXPECT_EQ(varint64_size(INT64_MIN), 10u);
}

TEST(varint, truncated_input_returns_zero_without_reading_past_end) {
    for (uint64_t v : {uint64_t{128}, uint64_t{1} << 35, UINT64_MAX}) {
        buf b{};
        size_t n = put_uvarint(b.data(), v);
        for (size_t cut = 0; cut < n; ++cut) {
            // Copy exactly `cut` bytes to a heap buffer so ASan catches over-reads.
            std::vector<std::byte> t(b.begin(), b.begin() + cut);
            uint64_t out = 42;
            EXPECT_EQ(get_uvarint(t.data(), t.data() + t.size(), out), 0u) << v << " cut " << cut;
            EXPECT_EQ(out, 42u) << "output untouched on failure";
            int64_t s = 0;
            EXPECT_EQ(get_varint64(t.data(), t.data() + t.size(), s), 0u);
        }
    }
}

TEST(varint, overlong_input_returns_zero) {
    // Eleven continuation bytes: longer than any 64-bit varint.
    std::vector<std::byte> cont(11, std::byte{0x80});
    cont.push_back(std::byte{0});
    uint64_t u = 0;
    EXPECT_EQ(get_uvarint(cont.data(), cont.data() + cont.size(), u), 0u);
    // Ten bytes whose last byte carries bits beyond bit 63.
    std::vector<std::byte> big(9, std::byte{0xff});
    big.push_back(std::byte{0x02});
    EXPECT_EQ(get_uvarint(big.data(), big.data() + big.size(), u), 0u);
    big.back() = std::byte{0x01};
    EXPECT_EQ(get_uvarint(big.data(), big.data() + big.size(), u), 10u);
    EXPECT_EQ(u, UINT64_MAX);

    // 32-bit: six bytes, or five bytes exceeding 32 bits.
    std::vector<std::byte> six = {std::byte{0x80}, std::byte{0x80}, std::byte{0x80},
                                  std::byte{0x80}, std::byte{0x80}, std::byte{0x00}};
    uint32_t u32 = 0;
    int32_t s32 = 0;
    EXPECT_EQ(get_uvarint32(six.data(), six.data() + six.size(), u32), 0u);
    EXPECT_EQ(get_varint32(six.data(), six.data() + six.size(), s32), 0u);
    std::vector<std::byte> wide = {std::byte{0xff}, std::byte{0xff}, std::byte{0xff},
                                   std::byte{0xff}, std::byte{0x1f}};
    EXPECT_EQ(get_uvarint32(wide.data(), wide.data() + wide.size(), u32), 0u);
    wide.back() = std::byte{0x0f};
    EXPECT_EQ(get_uvarint32(wide.data(), wide.data() + wide.size(), u32), 5u);
    EXPECT_EQ(u32, UINT32_MAX);
}

TEST(varint, empty_input_returns_zero) {
    std::byte b{};
    uint64_t u = 0;
    EXPECT_EQ(get_uvarint(&b, &b, u), 0u);
}

TEST(varint, decoding_stops_at_the_terminating_byte) {
    std::vector<std::byte> v = {std::byte{0x96}, std::byte{0x01}, std::byte{0xff}};
    uint64_t u = 0;
    EXPECT_EQ(get_uvarint(v.data(), v.data() + v.size(), u), 2u);
    EXPECT_EQ(u, 150u);
}

}  // namespace
}  // namespace varint_test
}  // namespace spate::bytes
