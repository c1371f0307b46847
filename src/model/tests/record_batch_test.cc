#include "model/record_batch.h"

#include <gtest/gtest.h>

#include <vector>

#include "bytes/crc32c.h"
#include "bytes/endian.h"
#include "model/record_batch_builder.h"

namespace spate::model {
namespace record_batch_test {
namespace {

using bytes_t = std::vector<std::byte>;

bytes_t sample_batch(int records = 2) {
    record_batch_builder b(record_batch_options{.base_offset = offset(10)});
    bytes_t v(8, std::byte{'v'});
    for (int i = 0; i < records; ++i)
        b.add(100 + i, std::nullopt, v);
    return b.finish();
}

void set_i32(bytes_t& b, size_t at, int32_t v) {
    bytes::store_be<int32_t>(b.data() + at, v);
}

void fix_crc(bytes_t& b) {
    bytes::store_be<uint32_t>(
        b.data() + batch_layout::crc,
        bytes::crc32c(std::span<const std::byte>(b).subspan(batch_layout::attributes)));
}

bytes_t length_prefix(int32_t len) {
    bytes_t b(12);
    set_i32(b, batch_layout::batch_length, len);
    return b;
}

TEST(record_batch_view, peek_size_needs_the_twelve_byte_prefix) {
    for (size_t n = 0; n < 12; ++n) {
        bytes_t b(n);
        auto r = record_batch_view::peek_size(b, 1 << 20);
        ASSERT_FALSE(r.ok()) << n;
        EXPECT_EQ(r.err().code, errc::out_of_range);
    }
    auto r = record_batch_view::peek_size(length_prefix(49), 1 << 20);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 61u);
}

TEST(record_batch_view, peek_size_rejects_lengths_below_a_header) {
    for (int32_t len : {48, 0, -1, INT32_MIN}) {
        auto r = record_batch_view::peek_size(length_prefix(len), 1 << 20);
        ASSERT_FALSE(r.ok()) << len;
        EXPECT_EQ(r.err().code, errc::corrupt) << len;
    }
}

TEST(record_batch_view, peek_size_enforces_the_limit_inclusively) {
    auto exact = record_batch_view::peek_size(length_prefix(1000), 1012);
    ASSERT_TRUE(exact.ok());
    EXPECT_EQ(*exact, 1012u);
    auto over = record_batch_view::peek_size(length_prefix(1000), 1011);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.err().code, errc::too_large);
    auto huge = record_batch_view::peek_size(length_prefix(INT32_MAX), SIZE_MAX);
    ASSERT_TRUE(huge.ok());
    EXPECT_EQ(*huge, size_t{INT32_MAX} + 12);
}

TEST(record_batch_view, parse_covers_exactly_one_batch) {
    bytes_t one = sample_batch();
    bytes_t two = one;
    bytes_t other = sample_batch(5);
    two.insert(two.end(), other.begin(), other.end());
    auto view = record_batch_view::parse(two);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->size_bytes(), one.size());
    EXPECT_EQ(view->bytes().data(), two.data());
    EXPECT_EQ(view->records_bytes().size(), one.size() - batch_layout::header_size);
    EXPECT_EQ(view->records_count(), 2);
    auto next = record_batch_view::parse(std::span<const std::byte>(two).subspan(one.size()));
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->records_count(), 5);
}

TEST(record_batch_view, parse_rejects_short_input_as_out_of_range) {
    bytes_t b = sample_batch();
    for (size_t n : {size_t{0}, size_t{11}, size_t{12}, size_t{60}, b.size() - 1}) {
        bytes_t part(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
        auto v = record_batch_view::parse(part);
        ASSERT_FALSE(v.ok()) << n;
        EXPECT_EQ(v.err().code, errc::out_of_range) << n;
    }
}

TEST(record_batch_view, parse_rejects_other_magic_values) {
    for (int magic : {0, 1, 3, -1}) {
        bytes_t b = sample_batch();
        b[batch_layout::magic] = static_cast<std::byte>(magic);
        auto v = record_batch_view::parse(b);
        ASSERT_FALSE(v.ok());
        EXPECT_EQ(v.err().code, errc::corrupt);
        // Skipping the CRC does not skip the magic check.
        auto u = record_batch_view::parse_unchecked_crc(b);
        ASSERT_FALSE(u.ok());
        EXPECT_EQ(u.err().code, errc::corrupt);
    }
}

TEST(record_batch_view, parse_rejects_inconsistent_counts) {
    struct tc {
        int32_t count, delta;
        bool ok;
    };
    for (tc t : {tc{-1, 1, false}, tc{2, -1, false}, tc{3, 1, false}, tc{2, 1, true},
                 tc{1, 1, true}, tc{0, 5, true}}) {
        bytes_t b = sample_batch();
        set_i32(b, batch_layout::records_count, t.count);
        set_i32(b, batch_layout::last_offset_delta, t.delta);
        fix_crc(b);
        auto v = record_batch_view::parse(b);
        EXPECT_EQ(v.ok(), t.ok) << t.count << " " << t.delta;
        if (!v.ok()) {
            EXPECT_EQ(v.err().code, errc::corrupt);
        }
    }
}

TEST(record_batch_view, parse_rejects_last_offset_overflow) {
    bytes_t b = sample_batch();
    bytes::store_be<int64_t>(b.data() + batch_layout::base_offset, INT64_MAX);
    auto v = record_batch_view::parse(b);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.err().code, errc::corrupt);
    bytes::store_be<int64_t>(b.data() + batch_layout::base_offset, INT64_MAX - 1);
    EXPECT_TRUE(record_batch_view::parse(b).ok());
}

TEST(record_batch_view, parse_checks_the_crc_and_unchecked_skips_it) {
    bytes_t b = sample_batch();
    b.back() ^= std::byte{0x01};
    auto v = record_batch_view::parse(b);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.err().code, errc::corrupt);
    auto u = record_batch_view::parse_unchecked_crc(b);
    ASSERT_TRUE(u.ok());
    EXPECT_NE(u->crc(), u->compute_crc());
}

TEST(record_batch_view, crc_does_not_cover_offset_length_or_leader_epoch) {
    bytes_t b = sample_batch();
    uint32_t before = record_batch_view::parse(b)->compute_crc();
    bytes::store_be<int64_t>(b.data() + batch_layout::base_offset, 555);
    set_i32(b, batch_layout::partition_leader_epoch, 7);
    auto v = record_batch_view::parse(b);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->compute_crc(), before);
    EXPECT_EQ(v->base_offset(), offset(555));
    EXPECT_EQ(v->partition_leader_epoch(), 7);
}

}  // namespace
}  // namespace record_batch_test
}  // namespace spate::model
