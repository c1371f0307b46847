#include "pgwire/binary_codec.h"

#include <gtest/gtest.h>

#include <string>

namespace spate::pgwire {
namespace binary_codec_test {
namespace {

using sql::column;
using sql::data_type;
using sql::type_id;
using sql::value;

std::string hex(std::string_view b) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (unsigned char c : b) {
        s.push_back(digits[c >> 4]);
        s.push_back(digits[c & 15]);
    }
    return s;
}

std::string unhex(std::string_view h) {
    std::string s;
    for (size_t i = 0; i + 1 < h.size(); i += 2)
        s.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    return s;
}

template <typename T>
std::string encode_one(type_id t, T v) {
    column c(data_type::of(t));
    c.push<T>(v);
    std::string out;
    encode_binary(c, 0, out);
    return hex(out);
}

std::string encode_string(type_id t, std::string_view v) {
    column c(data_type::of(t));
    c.push_string(v);
    std::string out;
    encode_binary(c, 0, out);
    return hex(out);
}

std::string encode_decimal(__int128 unscaled, int scale) {
    std::string out;
    encode_numeric(sql::decimal{unscaled, scale}, out);
    return hex(out);
}

TEST(binary_codec, fixed_width_types_encode_big_endian) {
    EXPECT_EQ(encode_one<uint8_t>(type_id::boolean, 1), "01");
    EXPECT_EQ(encode_one<int16_t>(type_id::int16, -2), "fffe");
    EXPECT_EQ(encode_one<int32_t>(type_id::int32, 1), "00000001");
    EXPECT_EQ(encode_one<int64_t>(type_id::int64, -1), "ffffffffffffffff");
    EXPECT_EQ(encode_one<float>(type_id::float32, 1.5f), "3fc00000");
    EXPECT_EQ(encode_one<double>(type_id::float64, 1.5), "3ff8000000000000");
}

TEST(binary_codec, dates_and_timestamps_count_from_2000) {
    EXPECT_EQ(encode_one<int32_t>(type_id::date, k_pg_epoch_days), "00000000");
    EXPECT_EQ(encode_one<int32_t>(type_id::date, 0), "ffffd533");
    EXPECT_EQ(encode_one<int64_t>(type_id::time, 3'600'000'000), "00000000d693a400");
    EXPECT_EQ(encode_one<int64_t>(type_id::timestamp, 946'684'800'000'001), "0000000000000001");
    EXPECT_EQ(encode_one<int64_t>(type_id::timestamptz, 946'684'800'000'000 - 1),
              "ffffffffffffffff");
}

TEST(binary_codec, interval_is_micros_then_days_then_months) {
    column c(data_type::of(type_id::interval));
    c.push(sql::interval_value{1, 2, 3});
    std::string out;
    encode_binary(c, 0, out);
    EXPECT_EQ(hex(out), "00000000000000030000000200000001");
}

TEST(binary_codec, strings_are_raw_bytes_and_jsonb_has_a_version_byte) {
    EXPECT_EQ(encode_string(type_id::text, "ab"), "6162");
    EXPECT_EQ(encode_string(type_id::bytea, std::string("\x00\xff", 2)), "00ff");
    EXPECT_EQ(encode_string(type_id::jsonb, "{}"), "017b7d");
}

TEST(binary_codec, numeric_uses_base_10000_digits) {
    EXPECT_EQ(encode_decimal(150, 2),
              "0002000000000002"
              "00011388");
    EXPECT_EQ(encode_decimal(-12345678, 3),
              "0003000140000003"
              "000109291a7c");
    EXPECT_EQ(encode_decimal(0, 2), "0000000000000002");
    EXPECT_EQ(encode_decimal(1, 4),
              "0001ffff00000004"
              "0001");
    EXPECT_EQ(encode_decimal(100000000, 0),
              "0001000200000000"
              "0001");
}

TEST(binary_codec, numeric_decodes_what_it_encodes) {
    for (auto [unscaled, scale] : std::vector<std::pair<__int128, int>>{
             {150, 2}, {-12345678, 3}, {0, 0}, {1, 4}, {100000000, 0}, {-5, 1}}) {
        std::string bytes;
        encode_numeric(sql::decimal{unscaled, scale}, bytes);
        auto d = decode_numeric(bytes);
        ASSERT_TRUE(d.ok()) << d.error().message;
        EXPECT_TRUE(d.value().unscaled == unscaled);
        EXPECT_EQ(d.value().scale, scale);
    }
}

TEST(binary_codec, numeric_decoding_rejects_nan_and_bad_lengths) {
    EXPECT_FALSE(decode_numeric(unhex("00000000c0000000")).ok());  // NaN
    EXPECT_FALSE(decode_numeric(unhex("000000")).ok());
    EXPECT_FALSE(decode_numeric(unhex("0002000000000000"
                                      "0001"))
                     .ok());
    EXPECT_FALSE(decode_numeric(unhex("0001000000000000"
                                      "2710"))
                     .ok());                                    // digit 10000
    auto wide = decode_numeric(unhex("0001000a000000000001"));  // 10^40
    ASSERT_FALSE(wide.ok());
    EXPECT_EQ(wide.error().code, sql::sql_errc::numeric_value_out_of_range);
}

TEST(binary_codec, numeric_decoding_pads_the_fraction_to_dscale) {
    auto d =
        decode_numeric(unhex("0002000000000005"
                             "00011388"));  // 1.5000 with dscale 5
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(d.value().unscaled == 150000);
    EXPECT_EQ(d.value().scale, 5);
}

TEST(binary_codec, fixed_width_values_decode) {
    auto i = decode_binary(unhex("fffffffe"), data_type::of(type_id::int32));
    ASSERT_TRUE(i.ok());
    EXPECT_EQ(i.value().get<int32_t>(), -2);
    auto ts = decode_binary(unhex("0000000000000001"), data_type::of(type_id::timestamp));
    ASSERT_TRUE(ts.ok());
    EXPECT_EQ(ts.value().get<int64_t>(), 946'684'800'000'001);
    auto dt = decode_binary(unhex("ffffd533"), data_type::of(type_id::date));
    ASSERT_TRUE(dt.ok());
    EXPECT_EQ(dt.value().get<int32_t>(), 0);
    auto iv =
        decode_binary(unhex("00000000000000030000000200000001"), data_type::of(type_id::interval));
    ASSERT_TRUE(iv.ok());
    EXPECT_EQ(iv.value().get<sql::interval_value>(), (sql::interval_value{1, 2, 3}));
    auto f = decode_binary(unhex("3ff8000000000000"), data_type::of(type_id::float64));
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f.value().get<double>(), 1.5);
}

TEST(binary_codec, wrong_lengths_and_invalid_bytes_are_errors) {
    EXPECT_FALSE(decode_binary(unhex("0001"), data_type::of(type_id::int32)).ok());
    EXPECT_FALSE(decode_binary(unhex("02617b7d"), data_type::of(type_id::jsonb)).ok());
    EXPECT_FALSE(decode_binary(std::string("\xff\xfe"), data_type::of(type_id::text)).ok());
    auto j = decode_binary(unhex("017b7d"), data_type::of(type_id::jsonb));
    ASSERT_TRUE(j.ok());
    EXPECT_EQ(j.value().get<std::string>(), "{}");
    auto b = decode_binary(std::string("\xff\x00", 2), data_type::of(type_id::bytea));
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b.value().get<std::string>(), std::string("\xff\x00", 2));
}

}  // namespace
}  // namespace binary_codec_test
}  // namespace spate::pgwire
