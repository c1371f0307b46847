// Aggregate functions' results over NULLs, empty groups, DISTINCT and
// FILTER, and their result types (sql/agg/aggregate_function.h).

#include <gtest/gtest.h>

#include <cmath>

#include "sql/agg/tests/agg_test_util.h"

namespace spate::sql {
namespace aggregate_function_test {
namespace {

using namespace agg_testing;

TEST(aggregate_types, result_types_follow_postgresql) {
    auto type = [](const char* name, std::vector<data_type> args) {
        auto t = aggregate_result_type(name, args, false);
        return t.ok() ? type_name(t.value()) : "ERROR: " + t.error().message;
    };
    EXPECT_EQ(type("sum", {of(type_id::int16)}), "bigint");
    EXPECT_EQ(type("sum", {of(type_id::int32)}), "bigint");
    EXPECT_EQ(type("sum", {of(type_id::int64)}), "numeric");
    EXPECT_EQ(type("sum", {data_type::numeric(10, 2)}), "numeric");
    EXPECT_EQ(type("sum", {of(type_id::float32)}), "real");
    EXPECT_EQ(type("sum", {of(type_id::interval)}), "interval");
    EXPECT_EQ(type("avg", {of(type_id::int32)}), "numeric");
    EXPECT_EQ(type("avg", {of(type_id::float32)}), "double precision");
    EXPECT_EQ(type("stddev", {of(type_id::int64)}), "numeric");
    EXPECT_EQ(type("var_pop", {of(type_id::float64)}), "double precision");
    EXPECT_EQ(type("min", {data_type{type_id::text, 10, -1, true}}), "text");
    EXPECT_EQ(type("max", {of(type_id::timestamptz)}), "timestamp with time zone");
    EXPECT_EQ(type("count", {of(type_id::jsonb)}), "bigint");
    EXPECT_EQ(type("array_agg", {of(type_id::int32)}), "text");
    EXPECT_EQ(type("every", {of(type_id::boolean)}), "boolean");
    EXPECT_EQ(type("string_agg", {of(type_id::bytea), of(type_id::bytea)}), "bytea");
    EXPECT_EQ(type("sum", {of(type_id::text)}), "ERROR: function sum(text) does not exist");
    EXPECT_EQ(type("min", {of(type_id::boolean)}), "ERROR: function min(boolean) does not exist");
    EXPECT_EQ(type("bool_and", {of(type_id::int32)}),
              "ERROR: function bool_and(integer) does not exist");
    EXPECT_EQ(type("string_agg", {of(type_id::text)}),
              "ERROR: function string_agg(text) does not exist");
    EXPECT_FALSE(aggregate_result_type("sum", {}, true).ok());
    EXPECT_TRUE(is_aggregate_function("stddev_samp"));
    EXPECT_FALSE(is_aggregate_function("lower"));
}

TEST(aggregate_functions, count_skips_nulls_and_rows_whose_filter_is_not_true) {
    auto star = agg_call("count", {});
    auto count = agg_call("count", {of(type_id::int64)});
    auto a = make_agg(star, 3), b = make_agg(count, 3);
    column x = make_col(of(type_id::int64), {"1", null_value, "3", "4"});
    column filter = make_col(of(type_id::boolean), {"t", "t", null_value, "f"});
    ASSERT_TRUE(a->update({}, &filter, std::vector<uint32_t>{0, 0, 1, 1}, {}).ok());
    ASSERT_TRUE(feed(*b, {x}, {0, 0, 1, 1}).ok());
    EXPECT_EQ(result_text(*a, star, 0), "2");
    EXPECT_EQ(result_text(*a, star, 1), "0");
    EXPECT_EQ(result_text(*b, count, 0), "1");
    EXPECT_EQ(result_text(*b, count, 1), "2");
    EXPECT_EQ(result_text(*b, count, 2), "0");  // an empty group counts 0
}

TEST(aggregate_functions, sum_and_avg_of_integers_numeric_floats_and_intervals) {
    auto check = [](const char* name, data_type t, std::vector<opt> values, const char* want) {
        auto call = agg_call(name, {t});
        auto a = make_agg(call, 2);
        ASSERT_TRUE(feed(*a, {make_col(t, values)}).ok());
        EXPECT_EQ(result_text(*a, call, 0), want) << name << " over " << type_name(t);
        EXPECT_EQ(result_text(*a, call, 1), "NULL") << name << " of an empty group";
    };
    check("sum", of(type_id::int32), {"1", "2", null_value, "4"}, "7");
    check("avg", of(type_id::int32), {"1", "2", null_value, "4"}, "2.3333333333333333");
    check("sum", of(type_id::int64), {"9223372036854775807", "9223372036854775807"},
          "18446744073709551614");
    check("avg", of(type_id::int64), {"1", "2"}, "1.5000000000000000");
    check("sum", of(type_id::numeric), {"1.5", "2.25"}, "3.75");
    check("avg", of(type_id::numeric), {"1.5", "2.25"}, "1.8750000000000000");
    check("sum", of(type_id::float64), {"0.5", "0.25"}, "0.75");
    check("sum", of(type_id::float32), {"0.5", "0.25"}, "0.75");
    check("avg", of(type_id::float32), {"1", "2"}, "1.5");
    check("sum", of(type_id::interval), {"1 day", "2 hours", null_value}, "1 day 02:00:00");
    check("sum", of(type_id::int32), {null_value}, "NULL");
}

TEST(aggregate_functions, variance_and_stddev_of_integers_are_exact_at_postgresql_scale) {
    auto check = [](const char* name, data_type t, std::vector<opt> values, const char* want) {
        auto call = agg_call(name, {t});
        auto a = make_agg(call);
        ASSERT_TRUE(feed(*a, {make_col(t, values)}).ok());
        EXPECT_EQ(result_text(*a, call), want) << name;
    };
    std::vector<opt> v = {"1", "2", null_value, "4", "5"};
    check("var_samp", of(type_id::int32), v, "3.3333333333333333");
    check("variance", of(type_id::int32), v, "3.3333333333333333");
    check("var_pop", of(type_id::int32), v, "2.5000000000000000");
    check("stddev_samp", of(type_id::int32), v, "1.8257418583505537");
    check("stddev", of(type_id::int16), v, "1.8257418583505537");
    check("stddev_pop", of(type_id::int64), v, "1.5811388300841897");
    check("var_samp", of(type_id::numeric), {"1.5", "2.5"}, "0.50000000000000000000");
    check("var_samp", of(type_id::int32), {"7"}, "NULL");
    check("var_pop", of(type_id::int32), {"7"}, "0");
    check("stddev", of(type_id::int32), {"3", "3", "3"}, "0");
    check("var_pop", of(type_id::int32), {}, "NULL");
    // Beyond 128 bits in between: the sums of squares of int64 extremes.
    check("var_pop", of(type_id::int64), {"9223372036854775807", "-9223372036854775808"},
          "85070591730234615856620279821087277056");
    check("stddev_pop", of(type_id::int64), {"9223372036854775807", "-9223372036854775808"},
          "9223372036854775807");  // sqrt of the variance rounded at scale 0, as PostgreSQL
    check("var_samp", of(type_id::int64), {"9223372036854775807", "-9223372036854775808"},
          "ERROR: value overflows numeric format");
}

TEST(aggregate_functions, variance_of_floats_is_shifted_by_the_first_value) {
    auto value = [](const char* name, std::vector<opt> values) {
        auto call = agg_call(name, {of(type_id::float64)});
        auto a = make_agg(call);
        EXPECT_TRUE(feed(*a, {make_col(of(type_id::float64), values)}).ok());
        return std::stod(result_text(*a, call));
    };
    EXPECT_NEAR(value("var_samp", {"1", "2", "4", "5"}), 10.0 / 3, 1e-12);
    EXPECT_NEAR(value("stddev_pop", {"1", "2", "4", "5"}), std::sqrt(2.5), 1e-12);
    // Far from zero: the naive sum-of-squares formula would lose every digit.
    EXPECT_NEAR(value("var_samp", {"1000000001", "1000000002", "1000000004", "1000000005"}),
                10.0 / 3, 1e-9);
}

TEST(aggregate_functions, min_max_bool_and_bool_or) {
    auto check = [](const char* name, data_type t, std::vector<opt> values, const char* want) {
        for (bool retractions : {true, false}) {
            auto call = agg_call(name, {t});
            auto a = make_agg(call, 2, retractions);
            ASSERT_TRUE(feed(*a, {make_col(t, values)}).ok());
            EXPECT_EQ(result_text(*a, call), want) << name << " " << retractions;
            EXPECT_EQ(result_text(*a, call, 1), "NULL");
        }
    };
    check("min", of(type_id::int32), {"5", null_value, "-3", "9"}, "-3");
    check("max", of(type_id::int32), {"5", null_value, "-3", "9"}, "9");
    check("max", of(type_id::numeric), {"1.5", "10.25", "2"}, "10.25");
    check("min", of(type_id::text), {"pear", "apple", "Zoo"}, "Zoo");
    check("max", of(type_id::timestamp), {"2024-01-02 03:04:05", "2023-12-31 00:00:00"},
          "2024-01-02 03:04:05");
    check("max", of(type_id::interval), {"1 mon", "29 days"}, "1 mon");
    check("max", of(type_id::float64), {"1", "NaN", "3"}, "NaN");
    check("min", of(type_id::float64), {"1", "NaN", "-Infinity"}, "-Infinity");
    check("min", of(type_id::date), {"2024-03-01", "2024-02-29"}, "2024-02-29");
    auto truth = [](const char* name, std::vector<opt> values, const char* want) {
        auto call = agg_call(name, {of(type_id::boolean)});
        auto a = make_agg(call, 2);
        ASSERT_TRUE(feed(*a, {make_col(of(type_id::boolean), values)}).ok());
        EXPECT_EQ(result_text(*a, call), want) << name;
        EXPECT_EQ(result_text(*a, call, 1), "NULL");
    };
    truth("bool_and", {"t", null_value, "f"}, "f");
    truth("every", {"t", null_value, "t"}, "t");
    truth("bool_or", {"f", null_value, "t"}, "t");
    truth("bool_or", {"f", null_value}, "f");
    truth("bool_and", {null_value}, "NULL");
}

TEST(aggregate_functions, string_agg_lists_values_in_order_each_after_its_rows_delimiter) {
    auto call = agg_call("string_agg", {of(type_id::text), of(type_id::text)});
    auto a = make_agg(call, 2);
    column v = make_col(of(type_id::text), {"b", "a", null_value, "c", "b"});
    column d = make_col(of(type_id::text), {",", "-", ",", null_value, ","});
    ASSERT_TRUE(feed(*a, {v, d}).ok());
    // a (first: no delimiter), b b after ",", c after its NULL delimiter.
    EXPECT_EQ(result_text(*a, call), "a,b,bc");
    EXPECT_EQ(result_text(*a, call, 1), "NULL");
    auto distinct = agg_call("string_agg", {of(type_id::text), of(type_id::text)}, true);
    auto b = make_agg(distinct);
    ASSERT_TRUE(feed(*b, {make_col(of(type_id::text), {"x", "y", "x", "a\001"}),
                          make_col(of(type_id::text), {"+", "+", "+", "+"})})
                    .ok());
    EXPECT_EQ(result_text(*b, distinct), "a\001+x+y");
    auto bytes = agg_call("string_agg", {of(type_id::bytea), of(type_id::bytea)});
    auto c = make_agg(bytes);
    ASSERT_TRUE(feed(*c, {make_col(of(type_id::bytea), {"\\x0102", "\\x00"}),
                          make_col(of(type_id::bytea), {"\\xff", "\\xff"})})
                    .ok());
    EXPECT_EQ(result_text(*c, bytes), "\\x00ff0102");
}

TEST(aggregate_functions, array_agg_is_an_array_literal_with_nulls_last) {
    auto ints = agg_call("array_agg", {of(type_id::int32)});
    auto a = make_agg(ints, 3);
    ASSERT_TRUE(feed(*a, {make_col(of(type_id::int32), {"3", null_value, "1", "3", null_value})},
                     {0, 0, 0, 0, 1})
                    .ok());
    EXPECT_EQ(result_text(*a, ints, 0), "{1,3,3,NULL}");
    EXPECT_EQ(result_text(*a, ints, 1), "{NULL}");
    EXPECT_EQ(result_text(*a, ints, 2), "NULL");
    auto distinct = agg_call("array_agg", {of(type_id::int32)}, true);
    auto b = make_agg(distinct);
    ASSERT_TRUE(
        feed(*b, {make_col(of(type_id::int32), {"3", null_value, "1", "3", null_value})}).ok());
    EXPECT_EQ(result_text(*b, distinct), "{1,3,NULL}");
    auto texts = agg_call("array_agg", {of(type_id::text)});
    auto c = make_agg(texts);
    ASSERT_TRUE(feed(*c, {make_col(of(type_id::text), {"a b", "null", "", "x\"y", "plain"})}).ok());
    EXPECT_EQ(result_text(*c, texts), "{\"\",\"a b\",\"null\",plain,\"x\\\"y\"}");
}

TEST(aggregate_functions, distinct_counts_each_value_once_after_the_filter) {
    column x = make_col(of(type_id::int32), {"1", "1", "2", "3", null_value, "2"});
    column filter = make_col(of(type_id::boolean), {"t", "t", "t", "f", "t", null_value});
    auto check = [&](const char* name, const char* want) {
        auto call = agg_call(name, {of(type_id::int32)}, true);
        auto a = make_agg(call);
        ASSERT_TRUE(feed(*a, {x}, {}, {}, &filter).ok());
        EXPECT_EQ(result_text(*a, call), want) << name;
    };
    check("count", "2");
    check("sum", "3");
    check("avg", "1.5000000000000000");
    check("var_pop", "0.25000000000000000000");
    check("max", "2");
    check("array_agg", "{1,2,NULL}");  // array_agg keeps NULLs
}

}  // namespace
}  // namespace aggregate_function_test
}  // namespace spate::sql
