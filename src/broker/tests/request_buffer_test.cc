// request_buffer_pool: buffers of finished requests are reused (no
// allocation per request), never more than the pool's bounds stay idle, and
// a taken buffer has the size asked for.

#include "broker/request_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace spate::broker {
namespace request_buffer_test {
namespace {

TEST(request_buffer_pool, reuses_a_given_back_buffer_that_fits) {
    request_buffer_pool pool;
    auto a = pool.take(1000);
    ASSERT_EQ(a.size(), 1000u);
    const std::byte* data = a.data();
    pool.give(std::move(a));
    EXPECT_EQ(pool.idle(), 1u);
    auto b = pool.take(800);
    EXPECT_EQ(b.size(), 800u);
    EXPECT_EQ(b.data(), data) << "the idle buffer's memory is reused";
    EXPECT_EQ(pool.idle(), 0u);
}

TEST(request_buffer_pool, prefers_the_smallest_buffer_that_fits) {
    request_buffer_pool pool;
    auto small = pool.take(100);
    auto big = pool.take(100000);
    const std::byte* big_data = big.data();
    const std::byte* small_data = small.data();
    pool.give(std::move(big));
    pool.give(std::move(small));
    EXPECT_EQ(pool.take(50).data(), small_data);
    EXPECT_EQ(pool.take(5000).data(), big_data);
}

TEST(response_buffer_pool, take_empty_reuses_capacity_and_keeps_the_old_bytes_unwritten) {
    response_buffer_pool pool;
    auto a = pool.take(4096);
    std::fill(a.begin(), a.end(), std::byte{0x5a});
    const std::byte* data = a.data();
    pool.give(std::move(a));
    auto b = pool.take_empty(2000);
    EXPECT_TRUE(b.empty());
    EXPECT_GE(b.capacity(), 2000u);
    EXPECT_EQ(b.data(), data) << "the idle buffer's memory is reused";
    // Nothing was zero-filled: the old bytes are still in the reused memory.
    EXPECT_EQ(data[100], std::byte{0x5a});
    auto c = pool.take_empty(1u << 20);  // none idle: a new one with the room
    EXPECT_TRUE(c.empty());
    EXPECT_GE(c.capacity(), 1u << 20);
}

TEST(request_buffer_pool, keeps_a_bounded_number_of_bounded_buffers) {
    request_buffer_pool pool;
    pool.give(pool.take(request_buffer_pool::k_max_capacity + 1));
    EXPECT_EQ(pool.idle(), 0u) << "an oversized buffer is freed";
    std::vector<request_buffer> many;
    for (size_t i = 0; i < request_buffer_pool::k_max_buffers + 5; ++i)
        many.push_back(pool.take(64));
    for (auto& b : many)
        pool.give(std::move(b));
    EXPECT_EQ(pool.idle(), request_buffer_pool::k_max_buffers);
}

}  // namespace
}  // namespace request_buffer_test
}  // namespace spate::broker
