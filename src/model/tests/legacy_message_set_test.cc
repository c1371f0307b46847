#include "model/legacy_message_set.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "bytes/endian.h"
#include "model/compression.h"
#include "model/record_batch_builder.h"
#include "model/records.h"

namespace spate::model {
namespace legacy_message_set_test {
namespace {

using bytes_t = std::vector<std::byte>;

std::span<const std::byte> as_bytes(const std::string& s) {
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

std::string to_string(std::optional<std::span<const std::byte>> b) {
    if (!b) return "<null>";
    return std::string(reinterpret_cast<const char*>(b->data()), b->size());
}

struct decoded {
    int64_t offset;
    int8_t magic;
    int64_t timestamp;
    std::string key;
    std::string value;
};

result<std::vector<decoded>> decode(const bytes_t& set) {
    std::vector<decoded> out;
    bytes_t scratch;
    auto st = decode_legacy_message_set(
        set,
        [&](const legacy_message& m) {
            out.push_back({m.offset, m.magic, m.timestamp, to_string(m.key), to_string(m.value)});
        },
        scratch);
    if (!st.ok()) return st.err();
    return out;
}

// Recomputes the CRC of the message at `at` after a test edited it.
void fix_crc(bytes_t& set, size_t at = 0) {
    const auto size = bytes::load_be<int32_t>(set.data() + at + legacy_layout::message_size);
    const size_t n = legacy_layout::log_overhead + static_cast<size_t>(size) - legacy_layout::magic;
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, reinterpret_cast<const Bytef*>(set.data() + at + legacy_layout::magic),
              static_cast<uInt>(n));
    bytes::store_be<uint32_t>(set.data() + at + legacy_layout::crc, static_cast<uint32_t>(c));
}

bytes_t one_message(int8_t magic, const std::string& key = "k", const std::string& value = "v") {
    bytes_t set;
    append_legacy_message(set, magic, 0, 0, 1000, as_bytes(key), as_bytes(value));
    return set;
}

void expect_corrupt(const bytes_t& set, const std::string& what) {
    auto r = decode(set);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.err().code, errc::corrupt) << what;
    EXPECT_NE(r.err().message.find(what), std::string::npos) << r.err().message;
}

TEST(legacy_message_set, magic1_round_trip_keeps_offsets_timestamps_and_nulls) {
    bytes_t set;
    append_legacy_message(set, k_magic_v1, 7, 0, 1234, as_bytes("a"), as_bytes("b"));
    append_legacy_message(set, k_magic_v1, 8, 0, 5678, std::nullopt, std::nullopt);
    auto r = decode(set);
    ASSERT_TRUE(r.ok()) << r.err().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].offset, 7);
    EXPECT_EQ((*r)[0].timestamp, 1234);
    EXPECT_EQ((*r)[0].key, "a");
    EXPECT_EQ((*r)[0].value, "b");
    EXPECT_EQ((*r)[1].key, "<null>");
    EXPECT_EQ((*r)[1].value, "<null>");
    EXPECT_EQ((*r)[1].timestamp, 5678);
}

TEST(legacy_message_set, magic0_has_no_timestamp_and_the_smaller_header) {
    bytes_t set = one_message(k_magic_v0);
    EXPECT_EQ(set.size(), legacy_layout::key_length_v0 + 4 + 1 + 4 + 1);
    auto r = decode(set);
    ASSERT_TRUE(r.ok()) << r.err().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].magic, k_magic_v0);
    EXPECT_EQ((*r)[0].timestamp, -1);
}

TEST(legacy_message_set, crc_is_zlib_crc32_of_magic_onwards) {
    bytes_t set = one_message(k_magic_v1);
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, reinterpret_cast<const Bytef*>(set.data() + legacy_layout::magic),
              static_cast<uInt>(set.size() - legacy_layout::magic));
    EXPECT_EQ(bytes::load_be<uint32_t>(set.data() + legacy_layout::crc), static_cast<uint32_t>(c));
}

TEST(legacy_message_set, compressed_wrappers_decode_to_their_inner_messages) {
    for (compression codec : {compression::gzip, compression::snappy, compression::lz4}) {
        bytes_t inner;
        for (int i = 0; i < 3; ++i)
            append_legacy_message(inner, k_magic_v1, i, 0, 100 + i, std::nullopt,
                                  as_bytes("value-" + std::to_string(i)));
        bytes_t set;
        ASSERT_TRUE(append_legacy_wrapper(set, k_magic_v1, 2, codec, 102, inner).ok());
        auto r = decode(set);
        ASSERT_TRUE(r.ok()) << compression_name(codec) << ": " << r.err().message;
        ASSERT_EQ(r->size(), 3u);
        EXPECT_EQ((*r)[2].value, "value-2");
        EXPECT_EQ((*r)[2].timestamp, 102);
        EXPECT_EQ((*r)[1].offset, 1);
    }
}

TEST(legacy_message_set, log_append_time_wrapper_gives_inner_messages_its_timestamp) {
    bytes_t inner = one_message(k_magic_v1);
    bytes_t set;
    ASSERT_TRUE(append_legacy_wrapper(set, k_magic_v1, 0, compression::gzip, 999, inner).ok());
    set[legacy_layout::attributes] |= static_cast<std::byte>(legacy_attr::timestamp_log_append);
    fix_crc(set);
    auto r = decode(set);
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ((*r)[0].timestamp, 999);
}

// ---- malformed input: one test per shape ----

TEST(legacy_message_set_malformed, empty_set) {
    expect_corrupt({}, "empty message set");
}

TEST(legacy_message_set_malformed, truncated_header) {
    bytes_t set = one_message(k_magic_v1);
    set.resize(legacy_layout::log_overhead - 1);
    expect_corrupt(set, "truncated message header");
}

TEST(legacy_message_set_malformed, truncated_message) {
    bytes_t set = one_message(k_magic_v1);
    set.pop_back();
    expect_corrupt(set, "truncated message");
}

TEST(legacy_message_set_malformed, partial_trailing_message) {
    bytes_t set = one_message(k_magic_v1);
    bytes_t second = one_message(k_magic_v1);
    set.insert(set.end(), second.begin(), second.begin() + 20);
    expect_corrupt(set, "truncated message");
}

TEST(legacy_message_set_malformed, size_below_minimum) {
    bytes_t set = one_message(k_magic_v0);
    bytes::store_be<int32_t>(set.data() + legacy_layout::message_size, 13);
    expect_corrupt(set, "below the minimum");
}

TEST(legacy_message_set_malformed, magic1_size_below_its_minimum) {
    bytes_t set = one_message(k_magic_v0, "", "");
    set[legacy_layout::magic] = std::byte{1};
    fix_crc(set);
    expect_corrupt(set, "below the minimum");
}

TEST(legacy_message_set_malformed, negative_size) {
    bytes_t set = one_message(k_magic_v1);
    bytes::store_be<int32_t>(set.data() + legacy_layout::message_size, -5);
    expect_corrupt(set, "below the minimum");
}

TEST(legacy_message_set_malformed, unknown_magic) {
    for (int magic : {2, 3, -1}) {
        bytes_t set = one_message(k_magic_v1);
        set[legacy_layout::magic] = static_cast<std::byte>(magic);
        fix_crc(set);
        expect_corrupt(set, "magic " + std::to_string(magic));
    }
}

TEST(legacy_message_set_malformed, crc_mismatch) {
    bytes_t set = one_message(k_magic_v1);
    set.back() ^= std::byte{1};
    expect_corrupt(set, "CRC mismatch");
}

TEST(legacy_message_set_malformed, key_length_below_minus_one) {
    bytes_t set = one_message(k_magic_v1);
    bytes::store_be<int32_t>(set.data() + legacy_layout::key_length_v1, -2);
    fix_crc(set);
    expect_corrupt(set, "key length -2");
}

TEST(legacy_message_set_malformed, key_longer_than_message) {
    bytes_t set = one_message(k_magic_v1);
    bytes::store_be<int32_t>(set.data() + legacy_layout::key_length_v1, 100);
    fix_crc(set);
    expect_corrupt(set, "key longer than its message");
}

TEST(legacy_message_set_malformed, value_longer_than_message) {
    bytes_t set = one_message(k_magic_v1, "k", "v");
    bytes::store_be<int32_t>(set.data() + legacy_layout::key_length_v1 + 5, 2);
    fix_crc(set);
    expect_corrupt(set, "value longer than its message");
}

TEST(legacy_message_set_malformed, value_length_truncated) {
    // The message ends inside the value's length field.
    bytes_t set = one_message(k_magic_v1, "kkk", "");
    set.resize(set.size() - 2);
    bytes::store_be<int32_t>(set.data() + legacy_layout::message_size,
                             static_cast<int32_t>(set.size() - legacy_layout::log_overhead));
    fix_crc(set);
    expect_corrupt(set, "value length truncated");
}

TEST(legacy_message_set_malformed, bytes_after_value) {
    bytes_t set = one_message(k_magic_v1);
    set.push_back(std::byte{0});
    bytes::store_be<int32_t>(set.data() + legacy_layout::message_size,
                             static_cast<int32_t>(set.size() - legacy_layout::log_overhead));
    fix_crc(set);
    expect_corrupt(set, "bytes after the value");
}

TEST(legacy_message_set_malformed, unknown_codec) {
    for (int codec : {4, 5, 7}) {
        bytes_t set = one_message(k_magic_v1);
        set[legacy_layout::attributes] = static_cast<std::byte>(codec);
        fix_crc(set);
        expect_corrupt(set, "compression codec " + std::to_string(codec));
    }
}

TEST(legacy_message_set_malformed, wrapper_with_null_value) {
    bytes_t set;
    append_legacy_message(set, k_magic_v1, 0, static_cast<int8_t>(compression::gzip), 0,
                          std::nullopt, std::nullopt);
    expect_corrupt(set, "null value");
}

TEST(legacy_message_set_malformed, wrapper_with_garbage) {
    bytes_t set;
    append_legacy_message(set, k_magic_v1, 0, static_cast<int8_t>(compression::gzip), 0,
                          std::nullopt, as_bytes("not gzip at all"));
    expect_corrupt(set, "compressed message:");
}

TEST(legacy_message_set_malformed, wrapper_with_no_messages) {
    bytes_t set;
    ASSERT_TRUE(append_legacy_wrapper(set, k_magic_v1, 0, compression::gzip, 0, {}).ok());
    expect_corrupt(set, "no messages");
}

TEST(legacy_message_set_malformed, wrapper_with_partial_inner_message) {
    bytes_t inner = one_message(k_magic_v1);
    inner.pop_back();
    bytes_t set;
    ASSERT_TRUE(append_legacy_wrapper(set, k_magic_v1, 0, compression::snappy, 0, inner).ok());
    expect_corrupt(set, "truncated message");
}

TEST(legacy_message_set_malformed, nested_compression) {
    bytes_t innermost = one_message(k_magic_v1);
    bytes_t inner;
    ASSERT_TRUE(append_legacy_wrapper(inner, k_magic_v1, 0, compression::gzip, 0, innermost).ok());
    bytes_t set;
    ASSERT_TRUE(append_legacy_wrapper(set, k_magic_v1, 0, compression::gzip, 0, inner).ok());
    expect_corrupt(set, "nested compressed message");
}

TEST(legacy_message_set_malformed, inner_magic_differs_from_wrapper) {
    bytes_t inner = one_message(k_magic_v0);
    bytes_t set;
    ASSERT_TRUE(append_legacy_wrapper(set, k_magic_v1, 0, compression::lz4, 0, inner).ok());
    expect_corrupt(set, "magic differs");
}

TEST(legacy_message_set_malformed, decompression_over_the_limit_is_too_large) {
    bytes_t inner = one_message(k_magic_v1, "k", std::string(10000, 'x'));
    bytes_t set;
    ASSERT_TRUE(append_legacy_wrapper(set, k_magic_v1, 0, compression::gzip, 0, inner).ok());
    bytes_t scratch;
    auto st = decode_legacy_message_set(set, [](const legacy_message&) {}, scratch,
                                        {.max_decompressed = 1000});
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::too_large);
}

// ---- conversions ----

TEST(legacy_up_conversion, uncompressed_set_becomes_one_v2_batch) {
    bytes_t set;
    append_legacy_message(set, k_magic_v1, 40, 0, 111, as_bytes("k1"), as_bytes("v1"));
    append_legacy_message(set, k_magic_v1, 41, 0, 222, std::nullopt, as_bytes("v2"));
    bytes_t batch, scratch;
    ASSERT_TRUE(up_convert_legacy_message_set(set, batch, scratch).ok());
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok()) << view.err().message;
    EXPECT_EQ(view->size_bytes(), batch.size());
    EXPECT_EQ(view->records_count(), 2);
    EXPECT_EQ(view->base_offset().value(), 0);
    EXPECT_EQ(view->compression_type(), compression::none);
    EXPECT_EQ(view->max_timestamp(), 222);
    auto reader = record_reader::create(*view);
    ASSERT_TRUE(reader.ok());
    std::vector<std::string> values;
    std::vector<int64_t> ts;
    ASSERT_TRUE(reader
                    ->for_each([&](const record_view& r) {
                        values.push_back(to_string(r.key) + "=" + to_string(r.value));
                        ts.push_back(reader->timestamp_of(r));
                    })
                    .ok());
    EXPECT_EQ(values, (std::vector<std::string>{"k1=v1", "<null>=v2"}));
    EXPECT_EQ(ts, (std::vector<int64_t>{111, 222}));
}

TEST(legacy_up_conversion, keeps_the_wrapper_codec_and_magic0_has_no_timestamp) {
    bytes_t inner;
    append_legacy_message(inner, k_magic_v0, 0, 0, 0, std::nullopt, as_bytes("a"));
    append_legacy_message(inner, k_magic_v0, 1, 0, 0, std::nullopt, as_bytes("b"));
    bytes_t set;
    ASSERT_TRUE(append_legacy_wrapper(set, k_magic_v0, 1, compression::snappy, 0, inner).ok());
    bytes_t batch, scratch;
    ASSERT_TRUE(up_convert_legacy_message_set(set, batch, scratch).ok());
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->compression_type(), compression::snappy);
    EXPECT_EQ(view->records_count(), 2);
    EXPECT_EQ(view->max_timestamp(), -1);
    EXPECT_TRUE(validate_records(*view, scratch).ok());
}

TEST(legacy_up_conversion, malformed_set_is_refused_and_appends_nothing) {
    bytes_t set = one_message(k_magic_v1);
    set.back() ^= std::byte{1};
    bytes_t batch, scratch;
    auto st = up_convert_legacy_message_set(set, batch, scratch);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::corrupt);
    EXPECT_TRUE(batch.empty());
}

bytes_t v2_batch(int64_t base_offset, int n, bool log_append, compression c = compression::none) {
    record_batch_options o;
    o.base_offset = offset(base_offset);
    o.compression_type = c;
    record_batch_builder b(o);
    for (int i = 0; i < n; ++i)
        b.add(1000 + i, as_bytes("key" + std::to_string(i)), as_bytes("val" + std::to_string(i)));
    bytes_t out = b.finish();
    if (log_append) set_log_append_time(out, 5555);
    return out;
}

TEST(legacy_down_conversion, records_from_the_fetch_offset_with_absolute_offsets) {
    bytes_t batches = v2_batch(10, 3, false, compression::lz4);
    bytes_t second = v2_batch(13, 2, false);
    batches.insert(batches.end(), second.begin(), second.end());
    bytes_t set, scratch;
    ASSERT_TRUE(down_convert_to_legacy(batches, 11, k_magic_v1, set, scratch).ok());
    auto r = decode(set);
    ASSERT_TRUE(r.ok()) << r.err().message;
    ASSERT_EQ(r->size(), 4u);
    EXPECT_EQ((*r)[0].offset, 11);
    EXPECT_EQ((*r)[0].key, "key1");
    EXPECT_EQ((*r)[0].timestamp, 1001);
    EXPECT_EQ((*r)[3].offset, 14);
    EXPECT_EQ((*r)[3].value, "val1");
}

TEST(legacy_down_conversion, log_append_time_batches_carry_the_attribute_and_time) {
    bytes_t batches = v2_batch(0, 2, true);
    bytes_t set, scratch;
    ASSERT_TRUE(down_convert_to_legacy(batches, 0, k_magic_v1, set, scratch).ok());
    EXPECT_EQ(static_cast<int8_t>(set[legacy_layout::attributes]),
              legacy_attr::timestamp_log_append);
    auto r = decode(set);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)[1].timestamp, 5555);
}

TEST(legacy_down_conversion, magic0_and_control_batches_dropped) {
    bytes_t batches = v2_batch(0, 1, false);
    bytes_t marker = build_control_batch(control_record_type::commit, 0, 1, producer_id(5),
                                         producer_epoch(0), offset(1));
    batches.insert(batches.end(), marker.begin(), marker.end());
    bytes_t set, scratch;
    ASSERT_TRUE(down_convert_to_legacy(batches, 0, k_magic_v0, set, scratch).ok());
    auto r = decode(set);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].magic, k_magic_v0);
    EXPECT_EQ((*r)[0].timestamp, -1);
}

TEST(legacy_down_conversion, corrupt_batch_is_an_error) {
    bytes_t batches = v2_batch(0, 2, false);
    batches.back() ^= std::byte{1};
    bytes_t set, scratch;
    EXPECT_FALSE(down_convert_to_legacy(batches, 0, k_magic_v1, set, scratch).ok());
}

TEST(legacy_round_trip, up_then_down_conversion_gives_the_messages_back) {
    bytes_t inner;
    for (int i = 0; i < 5; ++i)
        append_legacy_message(inner, k_magic_v1, i, 0, 50 + i, as_bytes("k" + std::to_string(i)),
                              as_bytes("v" + std::to_string(i)));
    bytes_t set;
    ASSERT_TRUE(append_legacy_wrapper(set, k_magic_v1, 4, compression::gzip, 54, inner).ok());
    bytes_t batch, scratch, back;
    ASSERT_TRUE(up_convert_legacy_message_set(set, batch, scratch).ok());
    set_base_offset(batch, offset(100));
    ASSERT_TRUE(down_convert_to_legacy(batch, 0, k_magic_v1, back, scratch).ok());
    auto r = decode(back);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 5u);
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ((*r)[i].offset, 100 + i);
        EXPECT_EQ((*r)[i].timestamp, 50 + i);
        EXPECT_EQ((*r)[i].key, "k" + std::to_string(i));
    }
}

}  // namespace
}  // namespace legacy_message_set_test
}  // namespace spate::model
