#include "bytes/endian.h"

#include <gtest/gtest.h>

#include <array>

namespace spate::bytes {
namespace endian_test {
namespace {

TEST(endian, big_endian_stores_most_significant_byte_first) {
    std::array<std::byte, 9> b{};
    store_be<uint32_t>(b.data() + 1, 0x01020304u);  // unaligned on purpose
    EXPECT_EQ(b[1], std::byte{0x01});
    EXPECT_EQ(b[4], std::byte{0x04});
    EXPECT_EQ(load_be<uint32_t>(b.data() + 1), 0x01020304u);
    store_be<int64_t>(b.data() + 1, -2);
    EXPECT_EQ(b[1], std::byte{0xff});
    EXPECT_EQ(b[8], std::byte{0xfe});
    EXPECT_EQ(load_be<int64_t>(b.data() + 1), -2);
    store_be<int16_t>(b.data(), int16_t{-32768});
    EXPECT_EQ(b[0], std::byte{0x80});
    EXPECT_EQ(load_be<int16_t>(b.data()), int16_t{-32768});
    store_be<int8_t>(b.data(), int8_t{-3});
    EXPECT_EQ(load_be<int8_t>(b.data()), int8_t{-3});
}

TEST(endian, little_endian_stores_least_significant_byte_first) {
    std::array<std::byte, 8> b{};
    store_le<uint64_t>(b.data(), 0x0102030405060708ull);
    EXPECT_EQ(b[0], std::byte{0x08});
    EXPECT_EQ(b[7], std::byte{0x01});
    EXPECT_EQ(load_le<uint64_t>(b.data()), 0x0102030405060708ull);
    EXPECT_EQ(byteswap<uint16_t>(0x1234), 0x3412);
}

}  // namespace
}  // namespace endian_test
}  // namespace spate::bytes
