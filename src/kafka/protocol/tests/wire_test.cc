#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <vector>

#include "kafka/protocol/wire.h"

namespace spate::kafka::protocol {
namespace wire_test {
namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values)
        out.push_back(static_cast<std::byte>(v));
    return out;
}

TEST(wire, fixed_width_integers_are_big_endian) {
    std::vector<std::byte> buf;
    writer w(buf);
    w.write_int8(-2);
    w.write_int16(0x0102);
    w.write_int32(-1);
    w.write_int64(0x0102030405060708);
    w.write_uint16(0xfffe);
    w.write_uint32(0x80000001u);
    w.write_bool(true);
    EXPECT_EQ(buf, bytes_of({0xfe, 0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03, 0x04,
                             0x05, 0x06, 0x07, 0x08, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x01, 0x01}));
    reader r(buf);
    EXPECT_EQ(r.read_int8(), -2);
    EXPECT_EQ(r.read_int16(), 0x0102);
    EXPECT_EQ(r.read_int32(), -1);
    EXPECT_EQ(r.read_int64(), 0x0102030405060708);
    EXPECT_EQ(r.read_uint16(), 0xfffe);
    EXPECT_EQ(r.read_uint32(), 0x80000001u);
    EXPECT_TRUE(r.read_bool());
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
}

TEST(wire, bool_accepts_any_nonzero_byte) {
    auto buf = bytes_of({0x00, 0x02});
    reader r(buf);
    EXPECT_FALSE(r.read_bool());
    EXPECT_TRUE(r.read_bool());
    EXPECT_TRUE(r.ok());
}

TEST(wire, float64_and_uuid) {
    std::vector<std::byte> buf;
    writer w(buf);
    w.write_float64(1.5);
    w.write_uuid(uuid{0x0011223344556677, 0x8899aabbccddeeff});
    EXPECT_EQ(buf,
              bytes_of({0x3f, 0xf8, 0,    0,    0,    0,    0,    0,    0x00, 0x11, 0x22, 0x33,
                        0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}));
    reader r(buf);
    EXPECT_EQ(r.read_float64(), 1.5);
    EXPECT_EQ(r.read_uuid(), (uuid{0x0011223344556677, 0x8899aabbccddeeff}));
    EXPECT_TRUE(r.ok());
}

TEST(wire, varints) {
    std::vector<std::byte> buf;
    writer w(buf);
    w.write_uvarint(300);
    w.write_varint(-1);
    w.write_varlong(std::numeric_limits<int64_t>::min());
    w.write_uvarint(std::numeric_limits<uint32_t>::max());
    EXPECT_EQ(std::vector<std::byte>(buf.begin(), buf.begin() + 3), bytes_of({0xac, 0x02, 0x01}));
    reader r(buf);
    EXPECT_EQ(r.read_uvarint(), 300u);
    EXPECT_EQ(r.read_varint(), -1);
    EXPECT_EQ(r.read_varlong(), std::numeric_limits<int64_t>::min());
    EXPECT_EQ(r.read_uvarint(), std::numeric_limits<uint32_t>::max());
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
}

TEST(wire, uvarint_longer_than_five_bytes_fails) {
    auto buf = bytes_of({0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
    reader r(buf);
    r.read_uvarint();
    EXPECT_FALSE(r.ok());
}

TEST(wire, uvarint_above_32_bits_fails) {
    auto buf = bytes_of({0xff, 0xff, 0xff, 0xff, 0x1f});
    reader r(buf);
    r.read_uvarint();
    EXPECT_FALSE(r.ok());
}

TEST(wire, strings_classic_and_compact) {
    std::vector<std::byte> buf;
    writer w(buf);
    w.write_string("ab", false);
    w.write_string("ab", true);
    w.write_nullable_string(std::nullopt, false, true);
    w.write_nullable_string(std::nullopt, true, true);
    w.write_nullable_string(std::nullopt, true, false);  // not nullable here: empty
    EXPECT_EQ(buf, bytes_of({0x00, 0x02, 'a', 'b', 0x03, 'a', 'b', 0xff, 0xff, 0x00, 0x01}));
    reader r(buf);
    EXPECT_EQ(r.read_string(false), "ab");
    EXPECT_EQ(r.read_nullable_string(true, true), "ab");
    EXPECT_EQ(r.read_nullable_string(false, true), std::nullopt);
    EXPECT_EQ(r.read_nullable_string(true, true), std::nullopt);
    EXPECT_EQ(r.read_string(true), "");
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
}

TEST(wire, null_string_where_not_nullable_fails) {
    auto buf = bytes_of({0xff, 0xff});
    reader r(buf);
    EXPECT_EQ(r.read_string(false), "");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, errc::corrupt);
}

TEST(wire, bytes_classic_and_compact) {
    std::vector<std::byte> buf;
    writer w(buf);
    const auto payload = bytes_of({7, 8});
    w.write_bytes(payload, false);
    w.write_bytes(payload, true);
    w.write_nullable_bytes(std::nullopt, false, true);
    w.write_nullable_bytes(std::nullopt, true, true);
    EXPECT_EQ(buf, bytes_of({0, 0, 0, 2, 7, 8, 3, 7, 8, 0xff, 0xff, 0xff, 0xff, 0}));
    reader r(buf);
    EXPECT_EQ(r.read_bytes(false), payload);
    EXPECT_EQ(r.read_nullable_bytes(true, true), payload);
    EXPECT_EQ(r.read_nullable_bytes(false, true), std::nullopt);
    EXPECT_EQ(r.read_nullable_bytes(true, true), std::nullopt);
    EXPECT_TRUE(r.ok());
}

TEST(wire, records_are_views_into_the_input) {
    auto buf = bytes_of({0, 0, 0, 3, 0xa, 0xb, 0xc, 0x00});
    reader r(buf);
    records_view v = r.read_records(false, true);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->data(), buf.data() + 4);
    EXPECT_EQ(v->size(), 3u);
    EXPECT_EQ(r.read_records(true, true), std::nullopt);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(records_equal(v, records_view(std::span(buf).subspan(4, 3))));
    EXPECT_FALSE(records_equal(v, std::nullopt));
}

TEST(wire, array_lengths) {
    std::vector<std::byte> buf;
    writer w(buf);
    w.write_array_length(2, false);
    w.write_array_length(2, true);
    w.write_null_array_length(false);
    w.write_null_array_length(true);
    EXPECT_EQ(buf, bytes_of({0, 0, 0, 2, 3, 0xff, 0xff, 0xff, 0xff, 0}));
    reader r(buf);
    EXPECT_EQ(r.read_array_length(false, false, 1), 2);
    EXPECT_EQ(r.read_array_length(true, false, 1), 2);
    EXPECT_EQ(r.read_array_length(false, true, 1), -1);
    EXPECT_EQ(r.read_array_length(true, true, 1), -1);
    EXPECT_TRUE(r.ok());
}

TEST(wire, array_length_beyond_remaining_bytes_fails) {
    auto buf = bytes_of({0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    {
        reader r(buf);  // 3 int32 need 12 bytes, 11 remain
        EXPECT_EQ(r.read_array_length(false, false, 4), 0);
        EXPECT_FALSE(r.ok());
    }
    {
        reader r(buf);
        EXPECT_EQ(r.read_array_length(false, false, 1), 3);
        EXPECT_TRUE(r.ok());
    }
}

TEST(wire, primitive_arrays_roundtrip) {
    std::vector<std::byte> buf;
    writer w(buf);
    const std::vector<int32_t> ints{1, -2, 3};
    const std::vector<std::string> strings{"x", ""};
    const std::optional<std::vector<uuid>> no_ids;
    write_array(w, ints, 0, false);
    write_array(w, strings, 0, true);
    write_nullable_array(w, no_ids, 0, true, true);
    reader r(buf);
    std::vector<int32_t> ints2;
    std::vector<std::string> strings2;
    std::optional<std::vector<uuid>> ids2 = std::vector<uuid>{uuid{1, 2}};
    read_array(r, ints2, 0, false);
    read_array(r, strings2, 0, true);
    read_nullable_array(r, ids2, 0, true, true);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(ints2, ints);
    EXPECT_EQ(strings2, strings);
    EXPECT_EQ(ids2, std::nullopt);
}

TEST(wire, failures_are_sticky_and_report_the_first) {
    auto buf = bytes_of({0x00, 0x01, 0x02});
    reader r(buf);
    EXPECT_EQ(r.read_int16(), 0x0001);
    EXPECT_EQ(r.read_int32(), 0);  // only one byte left
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_EQ(r.read_int8(), 0);
    EXPECT_EQ(r.read_string(true), "");
    auto e = r.error();
    EXPECT_EQ(e.code, errc::corrupt);
    EXPECT_NE(e.message.find("truncated at byte 2"), std::string::npos) << e.message;
    auto st = r.status();
    EXPECT_FALSE(st.ok());
}

TEST(wire, tagged_fields_sizes_are_patched_in) {
    std::vector<std::byte> buf;
    writer w(buf);
    w.write_uvarint(2);
    size_t m = w.begin_tagged(1);
    w.write_int32(7);
    w.end_tagged(m);
    m = w.begin_tagged(200);
    for (int i = 0; i < 200; ++i)
        w.write_int8(1);  // payload size needs two varint bytes
    w.end_tagged(m);
    ASSERT_EQ(buf.size(), 1u + (1 + 1 + 4) + (2 + 2 + 200));
    EXPECT_EQ(std::vector<std::byte>(buf.begin(), buf.begin() + 7),
              bytes_of({2, 1, 4, 0, 0, 0, 7}));
    EXPECT_EQ(std::vector<std::byte>(buf.begin() + 7, buf.begin() + 11),
              bytes_of({0xc8, 0x01, 0xc8, 0x01}));

    reader r(buf);
    std::vector<uint32_t> tags;
    int32_t value = 0;
    read_tagged_fields(r, [&](uint32_t tag, reader& t) {
        tags.push_back(tag);
        if (tag == 1) value = t.read_int32();
    });
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(tags, (std::vector<uint32_t>{1, 200}));
    EXPECT_EQ(value, 7);
}

TEST(wire, tagged_payload_overrun_is_reported_by_the_parent) {
    // One field, tag 0, payload 1 byte, but the callback reads 4.
    auto buf = bytes_of({1, 0, 1, 9, 0, 0, 0});
    reader r(buf);
    read_tagged_fields(r, [&](uint32_t, reader& t) { t.read_int32(); });
    EXPECT_FALSE(r.ok());
}

TEST(wire, size_prefix) {
    std::vector<std::byte> buf;
    writer w(buf);
    const size_t m = w.begin_size_prefix();
    w.write_int16(1);
    w.end_size_prefix(m);
    EXPECT_EQ(buf, bytes_of({0, 0, 0, 2, 0, 1}));
}

TEST(wire, check_version) {
    EXPECT_TRUE(check_version(3, 0, 4).ok());
    auto st = check_version(5, 0, 4);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::unsupported);
    EXPECT_FALSE(check_version(-1, 0, 4).ok());
}

}  // namespace
}  // namespace wire_test
}  // namespace spate::kafka::protocol
