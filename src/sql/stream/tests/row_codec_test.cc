#include "sql/stream/row_codec.h"

#include <gtest/gtest.h>

#include <limits>

namespace spate::sql {
namespace row_codec_test {
namespace {

namespace codec = stream_codec;

std::string key_of(const column& c, size_t row) {
    std::string out;
    const column* cols[] = {&c};
    codec::append_key(cols, row, out);
    return out;
}

TEST(row_codec, equal_sql_values_have_equal_keys) {
    column n(data_type::of(type_id::numeric));
    n.push<decimal>({10, 1});   // 1.0
    n.push<decimal>({100, 2});  // 1.00
    n.push<decimal>({1, 0});    // 1
    n.push<decimal>({11, 1});   // 1.1
    EXPECT_EQ(key_of(n, 0), key_of(n, 1));
    EXPECT_EQ(key_of(n, 0), key_of(n, 2));
    EXPECT_NE(key_of(n, 0), key_of(n, 3));
    column f(data_type::of(type_id::float64));
    f.push<double>(0.0);
    f.push<double>(-0.0);
    f.push<double>(std::numeric_limits<double>::quiet_NaN());
    f.push<double>(-std::numeric_limits<double>::quiet_NaN());
    EXPECT_EQ(key_of(f, 0), key_of(f, 1));
    EXPECT_EQ(key_of(f, 2), key_of(f, 3));
    column t(data_type::of(type_id::text));
    t.push_string("a");
    t.push_null();
    t.push_null();
    t.push_string("");
    EXPECT_EQ(key_of(t, 1), key_of(t, 2));
    EXPECT_NE(key_of(t, 1), key_of(t, 3));  // NULL is not the empty string
}

TEST(row_codec, keys_decode_to_the_values_they_encode) {
    column a(data_type::of(type_id::int64)), b(data_type::of(type_id::text)),
        c(data_type::of(type_id::int32));
    a.push<int64_t>(-5);
    b.push_string(std::string_view("x\0y", 3));
    c.push_null();
    const column* cols[] = {&a, &b, &c};
    std::string bytes;
    codec::append_key(cols, 0, bytes);
    std::vector<column> out{column(a.type()), column(b.type()), column(c.type())};
    std::string_view in = bytes;
    ASSERT_TRUE(codec::decode_key(in, out).ok());
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(out[0].values<int64_t>()[0], -5);
    EXPECT_EQ(out[1].strings().at(0), b.strings().at(0));
    EXPECT_TRUE(out[2].is_null(0));
    std::string_view cut = std::string_view(bytes).substr(0, bytes.size() - 1);
    std::vector<column> again{column(a.type()), column(b.type()), column(c.type())};
    EXPECT_FALSE(codec::decode_key(cut, again).ok());
}

TEST(row_codec, ordered_integers_sort_bytewise) {
    std::vector<int64_t> values{std::numeric_limits<int64_t>::min(), -2, -1, 0, 1, 1000,
                                std::numeric_limits<int64_t>::max()};
    std::string prev;
    for (size_t i = 0; i < values.size(); ++i) {
        std::string k;
        codec::put_ordered_i64(k, values[i]);
        EXPECT_EQ(codec::get_ordered_i64(k), values[i]);
        if (i > 0) {
            EXPECT_LT(prev, k) << values[i];
        }
        prev = k;
    }
}

TEST(row_codec, batches_round_trip_selected_rows_with_nulls) {
    column a(data_type::of(type_id::int64)), s(data_type::of(type_id::text)),
        b(data_type::of(type_id::boolean));
    for (int i = 0; i < 20; ++i) {
        if (i % 3 == 0)
            a.push_null();
        else
            a.push<int64_t>(i);
        s.push_string(std::string(static_cast<size_t>(i), 'z'));
        b.push<uint8_t>(i % 2);
    }
    std::vector<uint32_t> rows{19, 0, 4, 9, 12};
    const column* cols[] = {&a, &s, &b};
    std::string bytes;
    codec::encode_batch(cols, rows, bytes);
    std::vector<column> out{column(a.type()), column(s.type()), column(b.type())};
    std::string_view in = bytes;
    ASSERT_TRUE(codec::decode_batch(in, rows.size(), out).ok());
    EXPECT_TRUE(in.empty());
    for (size_t i = 0; i < rows.size(); ++i) {
        uint32_t r = rows[i];
        EXPECT_EQ(out[0].is_null(i), a.is_null(r));
        if (!a.is_null(r)) {
            EXPECT_EQ(out[0].values<int64_t>()[i], a.values<int64_t>()[r]);
        }
        EXPECT_EQ(out[1].strings().at(i), s.strings().at(r));
        EXPECT_EQ(out[2].values<uint8_t>()[i], b.values<uint8_t>()[r]);
    }
    std::string_view short_in = std::string_view(bytes).substr(0, bytes.size() - 2);
    std::vector<column> again{column(a.type()), column(s.type()), column(b.type())};
    EXPECT_FALSE(codec::decode_batch(short_in, rows.size(), again).ok());
}

TEST(row_codec, hash_is_fixed_across_builds) {
    // The repartition partitioner depends on these exact values.
    EXPECT_EQ(codec::hash_bytes(""), 12343306366623663649ull);
    EXPECT_EQ(codec::hash_bytes("spate"), 961961752098298859ull);
    EXPECT_EQ(codec::hash_bytes("0123456789abcdef!"), 13982958211015603432ull);
    EXPECT_NE(codec::hash_bytes("a"), codec::hash_bytes("b"));
}

}  // namespace
}  // namespace row_codec_test
}  // namespace spate::sql
