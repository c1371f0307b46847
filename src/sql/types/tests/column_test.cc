#include <gtest/gtest.h>

#include <vector>

#include "sql/types/column.h"
#include "sql/types/value.h"

namespace spate::sql {
namespace {

TEST(column, type_picks_physical_representation) {
    EXPECT_TRUE(std::holds_alternative<std::vector<uint8_t>>(
        column(data_type::of(type_id::boolean)).raw()));
    EXPECT_TRUE(
        std::holds_alternative<std::vector<int16_t>>(column(data_type::of(type_id::int16)).raw()));
    EXPECT_TRUE(
        std::holds_alternative<std::vector<int32_t>>(column(data_type::of(type_id::date)).raw()));
    EXPECT_TRUE(std::holds_alternative<std::vector<int64_t>>(
        column(data_type::of(type_id::timestamptz)).raw()));
    EXPECT_TRUE(
        std::holds_alternative<std::vector<int64_t>>(column(data_type::of(type_id::time)).raw()));
    EXPECT_TRUE(
        std::holds_alternative<std::vector<float>>(column(data_type::of(type_id::float32)).raw()));
    EXPECT_TRUE(
        std::holds_alternative<std::vector<double>>(column(data_type::of(type_id::float64)).raw()));
    EXPECT_TRUE(
        std::holds_alternative<std::vector<decimal>>(column(data_type::numeric(10, 2)).raw()));
    EXPECT_TRUE(std::holds_alternative<std::vector<interval_value>>(
        column(data_type::of(type_id::interval)).raw()));
    EXPECT_TRUE(std::holds_alternative<string_data>(column(data_type::of(type_id::jsonb)).raw()));
    EXPECT_TRUE(std::holds_alternative<string_data>(column().raw()));
}

TEST(column, push_null_keeps_value_slots_in_step) {
    column c(data_type::of(type_id::int64));
    c.push<int64_t>(5);
    EXPECT_FALSE(c.has_nulls());
    c.push_null();
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c.values<int64_t>().size(), 2u);
    EXPECT_TRUE(c.is_null(1));
    EXPECT_FALSE(c.is_null(0));
    EXPECT_TRUE(c.has_nulls());

    column s(data_type::of(type_id::text));
    s.push_null();
    s.push_string("x");
    EXPECT_EQ(s.strings().size(), 2u);
    EXPECT_EQ(s.strings().at(0), "");
    EXPECT_EQ(s.strings().at(1), "x");
}

column make_text(std::initializer_list<const char*> vals) {
    column c(data_type::of(type_id::text));
    for (const char* v : vals) {
        if (v) {
            c.push_string(v);
        } else {
            c.push_null();
        }
    }
    return c;
}

TEST(column, filter_gather_slice_keep_values_and_nulls) {
    column c = make_text({"a", nullptr, "ccc", "dd"});
    std::vector<uint8_t> keep{1, 1, 0, 1};
    column f = c.filter(keep);
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f.strings().at(0), "a");
    EXPECT_TRUE(f.is_null(1));
    EXPECT_EQ(f.strings().at(2), "dd");

    std::vector<uint32_t> idx{3, 0, 3};
    column g = c.gather(idx);
    ASSERT_EQ(g.size(), 3u);
    EXPECT_EQ(g.strings().at(0), "dd");
    EXPECT_EQ(g.strings().at(1), "a");
    EXPECT_EQ(g.strings().at(2), "dd");
    EXPECT_FALSE(g.has_nulls());

    column s = c.slice(1, 2);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_TRUE(s.is_null(0));
    EXPECT_EQ(s.strings().at(1), "ccc");
    EXPECT_EQ(s.type(), c.type());
}

TEST(column, push_from_rows_appends_them_in_order_with_null_flags) {
    column a(data_type::of(type_id::text));
    a.push_string("x");
    a.push_null();
    a.push_string("zz");
    column b(data_type::of(type_id::text));
    b.push_string("first");
    std::vector<uint32_t> rows{2, 1, 2, 0};
    b.push_from(a, rows);
    b.push_from(a, std::vector<uint32_t>{});
    b.push_from(a, std::vector<uint32_t>{0});
    ASSERT_EQ(b.size(), 6u);
    EXPECT_EQ(b.strings().at(0), "first");
    EXPECT_EQ(b.strings().at(1), "zz");
    EXPECT_TRUE(b.is_null(2));
    EXPECT_FALSE(b.is_null(3));
    EXPECT_EQ(b.strings().at(3), "zz");
    EXPECT_EQ(b.strings().at(4), "x");
    EXPECT_EQ(b.strings().at(5), "x");
}

TEST(column, push_from_copies_row_and_null_flag) {
    column a(data_type::of(type_id::float64));
    a.push<double>(1.5);
    a.push_null();
    column b(data_type::of(type_id::float64));
    b.push_from(a, 1);
    b.push_from(a, 0);
    ASSERT_EQ(b.size(), 2u);
    EXPECT_TRUE(b.is_null(0));
    EXPECT_EQ(b.values<double>()[1], 1.5);
}

TEST(column, clear_empties_and_stays_usable) {
    column c = make_text({"a", "b"});
    c.reserve(10);
    c.clear();
    EXPECT_EQ(c.size(), 0u);
    EXPECT_EQ(c.strings().size(), 0u);
    c.push_string("z");
    EXPECT_EQ(c.strings().at(0), "z");
}

TEST(chunk, filter_and_slice_apply_to_every_column) {
    column ints(data_type::of(type_id::int32));
    for (int32_t i = 0; i < 4; ++i)
        ints.push<int32_t>(i);
    std::vector<column> cols;
    cols.push_back(std::move(ints));
    cols.push_back(make_text({"a", "b", "c", "d"}));
    chunk ch(std::move(cols));
    EXPECT_EQ(ch.rows(), 4u);
    std::vector<uint8_t> keep{0, 1, 0, 1};
    chunk f = ch.filter(keep);
    ASSERT_EQ(f.rows(), 2u);
    EXPECT_EQ(f.at(0).values<int32_t>()[1], 3);
    EXPECT_EQ(f.at(1).strings().at(0), "b");
    chunk s = ch.slice(2, 2);
    ASSERT_EQ(s.rows(), 2u);
    EXPECT_EQ(s.at(0).values<int32_t>()[0], 2);
    EXPECT_EQ(s.at(1).strings().at(1), "d");
}

TEST(chunk, sync_rows_follows_in_place_appends) {
    std::vector<column> cols;
    cols.emplace_back(data_type::of(type_id::int64));
    chunk ch(std::move(cols));
    EXPECT_EQ(ch.rows(), 0u);
    ch.at(0).push<int64_t>(1);
    ch.at(0).push_null();
    ch.sync_rows();
    EXPECT_EQ(ch.rows(), 2u);
}

TEST(value, append_broadcast_and_from_column_round_trip) {
    column c(data_type::numeric(10, 2));
    value v = value::numeric(decimal{150, 2}, data_type::numeric(10, 2));
    v.append_to(c);
    value::null(data_type::numeric(10, 2)).append_to(c);
    ASSERT_EQ(c.size(), 2u);
    EXPECT_TRUE(c.is_null(1));
    value back = value::from_column(c, 0);
    EXPECT_EQ(back.type(), data_type::numeric(10, 2));
    EXPECT_TRUE(back.get<decimal>().unscaled == 150);
    EXPECT_TRUE(value::from_column(c, 1).is_null());

    column b = value::text("hi").broadcast(3);
    ASSERT_EQ(b.size(), 3u);
    EXPECT_EQ(b.strings().at(2), "hi");
    EXPECT_EQ(value::from_column(b, 1).get<std::string>(), "hi");

    column n = value::null(data_type::of(type_id::interval)).broadcast(2);
    EXPECT_TRUE(n.is_null(0) && n.is_null(1));
    EXPECT_EQ(n.values<interval_value>().size(), 2u);

    column ts = value::temporal(type_id::timestamp, 42).broadcast(1);
    EXPECT_EQ(value::from_column(ts, 0).get<int64_t>(), 42);
}

}  // namespace
}  // namespace spate::sql

namespace spate::sql {
namespace {

TEST(column, truncate_drops_trailing_rows_of_any_representation) {
    column s(data_type::of(type_id::text));
    s.push_string("ab");
    s.push_string("cde");
    s.push_null();
    s.truncate(1);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s.strings().bytes, "ab");
    s.push_string("z");
    EXPECT_EQ(s.strings().at(1), "z");
    column i(data_type::of(type_id::int32));
    i.push<int32_t>(1);
    i.push_null();
    i.truncate(1);
    EXPECT_EQ(i.values<int32_t>().size(), 1u);
    EXPECT_FALSE(i.has_nulls());
}

}  // namespace
}  // namespace spate::sql
