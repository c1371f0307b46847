#include "sql/serving/key_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace spate::sql {
namespace key_codec_test {
namespace {

std::string enc(const value& v) {
    std::string out;
    encode_key_value(v, out);
    return out;
}

// Every encoding of `ascending` (given in SQL order) sorts strictly after the one before.
void expect_ascending(const std::vector<value>& ascending) {
    for (size_t i = 1; i < ascending.size(); ++i)
        EXPECT_LT(enc(ascending[i - 1]), enc(ascending[i])) << "at " << i;
}

TEST(key_codec, integers_order_with_negatives_before_positives) {
    expect_ascending({value::int64(std::numeric_limits<int64_t>::min()), value::int64(-1000),
                      value::int64(-1), value::int64(0), value::int64(1), value::int64(255),
                      value::int64(256), value::int64(std::numeric_limits<int64_t>::max())});
    expect_ascending({value::int32(-70000), value::int32(-1), value::int32(0), value::int32(7)});
    expect_ascending({value::int16(-2), value::int16(3), value::int16(300)});
}

TEST(key_codec, null_sorts_after_every_value) {
    auto t = data_type::of(type_id::int64);
    EXPECT_LT(enc(value::int64(std::numeric_limits<int64_t>::max())), enc(value::null(t)));
    EXPECT_LT(enc(value::text("\xff\xff")), enc(value::null(data_type::of(type_id::text))));
    EXPECT_EQ(enc(value::null(t)), enc(value::null(t)));
}

TEST(key_codec, text_orders_bytewise_and_prefixes_first) {
    expect_ascending({value::text(""), value::text(std::string("\0", 1)), value::text("a"),
                      value::text(std::string("a\0", 2)), value::text(std::string("a\0b", 3)),
                      value::text("a\x01"), value::text("ab"), value::text("b"),
                      value::text("\xc3\xa9")});
}

TEST(key_codec, a_text_column_is_self_delimiting_in_a_composite_key) {
    // ("a", 2) < ("ab", 1): the first column decides.
    std::string k1 = enc(value::text("a")) + enc(value::int64(2));
    std::string k2 = enc(value::text("ab")) + enc(value::int64(1));
    EXPECT_LT(k1, k2);
    std::string p = enc(value::text("a"));
    EXPECT_EQ(k1.compare(0, p.size(), p), 0);
    EXPECT_LT(k1, prefix_successor(p));
    EXPECT_GT(k2, prefix_successor(p));
}

TEST(key_codec, timestamps_and_dates_order_across_the_epoch) {
    expect_ascending({value::temporal(type_id::timestamp, -86'400'000'000),
                      value::temporal(type_id::timestamp, -1),
                      value::temporal(type_id::timestamp, 0),
                      value::temporal(type_id::timestamp, 1'700'000'000'000'000)});
    expect_ascending({value::date(-1), value::date(0), value::date(19000)});
}

TEST(key_codec, floats_order_with_nan_greatest_and_negative_zero_equal_to_zero) {
    expect_ascending(
        {value::float64(-std::numeric_limits<double>::infinity()), value::float64(-2.5),
         value::float64(-1e-300), value::float64(0.0), value::float64(1e-300), value::float64(3.0),
         value::float64(std::numeric_limits<double>::infinity()), value::float64(std::nan(""))});
    EXPECT_EQ(enc(value::float64(-0.0)), enc(value::float64(0.0)));
    EXPECT_EQ(enc(value::float64(-std::nan(""))), enc(value::float64(std::nan(""))));
    expect_ascending({value::float32(-1.5f), value::float32(0.25f), value::float32(2.0f)});
}

value num(__int128 unscaled, int32_t scale) {
    return value::numeric(decimal{unscaled, scale});
}

TEST(key_codec, numerics_order_by_value_whatever_their_scale) {
    expect_ascending({num(-12345, 1), num(-1000, 0), num(-5, 0), num(-45, 1), num(-1, 3), num(0, 0),
                      num(1, 3), num(9, 2), num(1, 1), num(45, 1), num(5, 0), num(12, 0),
                      num(1000, 0), num(12345, 1)});
    EXPECT_EQ(enc(num(1200, 2)), enc(num(12, 0)));
    EXPECT_EQ(enc(num(0, 5)), enc(num(0, 0)));
    EXPECT_EQ(enc(num(-50, 1)), enc(num(-5, 0)));
}

TEST(key_codec, intervals_order_by_span) {
    expect_ascending({value::interval({0, 0, -1}), value::interval({0, 1, 0}),
                      value::interval({0, 1, 1}), value::interval({1, 0, 0}),
                      value::interval({0, 31, 0})});
    EXPECT_EQ(enc(value::interval({1, 0, 0})), enc(value::interval({0, 30, 0})));
}

TEST(key_codec, column_and_value_encodings_agree) {
    column c(data_type::of(type_id::text));
    c.push_string("x");
    c.push_null();
    std::string a, b;
    encode_key_column(c, 0, a);
    encode_key_column(c, 1, b);
    EXPECT_EQ(a, enc(value::text("x")));
    EXPECT_EQ(b, enc(value::null(data_type::of(type_id::text))));
}

TEST(key_codec, prefix_successor_skips_every_extension_of_the_prefix) {
    EXPECT_EQ(prefix_successor("ab"), "ac");
    EXPECT_EQ(prefix_successor(std::string("a\xff", 2)), "b");
    EXPECT_EQ(prefix_successor(std::string("\xff\xff", 2)), "");
    EXPECT_EQ(prefix_successor(""), "");
}

}  // namespace
}  // namespace key_codec_test
}  // namespace spate::sql
