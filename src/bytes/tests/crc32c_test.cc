#include "bytes/crc32c.h"
#include "bytes/crc32c_testing.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string_view>
#include <vector>

namespace spate::bytes {
namespace crc32c_test {
namespace {

std::span<const std::byte> as_bytes(std::string_view s) {
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

std::vector<std::byte> random_bytes(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<std::byte> v(n);
    for (auto& b : v)
        b = static_cast<std::byte>(rng());
    return v;
}

TEST(crc32c, matches_known_vectors) {
    EXPECT_EQ(crc32c(as_bytes("123456789")), 0xE3069283u);
    EXPECT_EQ(crc32c_portable(as_bytes("123456789")), 0xE3069283u);
    std::vector<std::byte> zeros(32);
    EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
    EXPECT_EQ(crc32c_portable(zeros), 0x8A9136AAu);
    std::vector<std::byte> ones(32, std::byte{0xff});
    EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
    EXPECT_EQ(crc32c_portable(ones), 0x62A8AB43u);
    std::vector<std::byte> ascending(32);
    for (size_t i = 0; i < ascending.size(); ++i)
        ascending[i] = static_cast<std::byte>(i);
    EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
    EXPECT_EQ(crc32c_portable(ascending), 0x46DD794Eu);
}

TEST(crc32c, empty_input_returns_the_initial_crc) {
    EXPECT_EQ(crc32c({}), 0u);
    EXPECT_EQ(crc32c({}, 0x12345678u), 0x12345678u);
    EXPECT_EQ(crc32c_portable({}, 0x12345678u), 0x12345678u);
}

TEST(crc32c, hardware_matches_portable_for_every_length_and_alignment) {
    if (!crc32c_hardware_available()) GTEST_SKIP() << "no SSE4.2 on this CPU";
    auto data = random_bytes(300 + 8, 1);
    for (size_t align = 0; align < 8; ++align) {
        for (size_t len = 0; len <= 300; ++len) {
            std::span<const std::byte> s(data.data() + align, len);
            ASSERT_EQ(crc32c(s), crc32c_portable(s)) << "align " << align << " len " << len;
            ASSERT_EQ(crc32c(s, 0xdeadbeef), crc32c_portable(s, 0xdeadbeef));
        }
    }
}

TEST(crc32c, hardware_matches_portable_across_interleaving_thresholds) {
    if (!crc32c_hardware_available()) GTEST_SKIP() << "no SSE4.2 on this CPU";
    auto data = random_bytes(200000, 2);
    for (size_t len : {767u, 768u, 769u, 1543u, 24575u, 24576u, 24577u, 24576u + 768u + 13u,
                       49152u + 7u, 100000u, 199993u}) {
        for (size_t align : {0u, 3u, 7u}) {
            std::span<const std::byte> s(data.data() + align, len);
            ASSERT_EQ(crc32c(s), crc32c_portable(s)) << "align " << align << " len " << len;
        }
    }
}

TEST(crc32c, incremental_equals_one_shot) {
    auto data = random_bytes(70000, 3);
    uint32_t whole = crc32c(data);
    EXPECT_EQ(whole, crc32c_portable(data));
    std::mt19937 rng(4);
    for (int trial = 0; trial < 200; ++trial) {
        size_t cut = rng() % (data.size() + 1);
        std::span<const std::byte> all(data);
        uint32_t c = crc32c(all.subspan(0, cut));
        EXPECT_EQ(crc32c(all.subspan(cut), c), whole) << "cut " << cut;
        uint32_t p = crc32c_portable(all.subspan(0, cut));
        EXPECT_EQ(crc32c_portable(all.subspan(cut), p), whole) << "cut " << cut;
    }
    // Byte at a time.
    uint32_t c = 0;
    for (size_t i = 0; i < 1000; ++i)
        c = crc32c(std::span<const std::byte>(data).subspan(i, 1), c);
    EXPECT_EQ(c, crc32c(std::span<const std::byte>(data).subspan(0, 1000)));
}

TEST(crc32c, detects_every_single_bit_flip) {
    auto data = random_bytes(64, 5);
    uint32_t base = crc32c(data);
    for (size_t bit = 0; bit < data.size() * 8; ++bit) {
        data[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
        EXPECT_NE(crc32c(data), base);
        data[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
    }
}

}  // namespace
}  // namespace crc32c_test
}  // namespace spate::bytes
