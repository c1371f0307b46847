#include <gtest/gtest.h>

#include <cmath>

#include "sql/expr/kernels.h"
#include "sql/expr/tests/expr_test_util.h"

namespace spate::sql::testing {
namespace arithmetic_test {
namespace {

expr_ptr num(std::string_view s) {
    return lit(type_id::numeric, s);
}
expr_ptr i64(int64_t v) {
    return expr::make_constant(value::int64(v));
}
expr_ptr i16(int16_t v) {
    return expr::make_constant(value::int16(v));
}
expr_ptr f8(double v) {
    return expr::make_constant(value::float64(v));
}

TEST(arithmetic, decimal_digits_counts_digits_at_every_power_of_ten) {
    EXPECT_EQ(sql::detail::decimal_digits(0), 0);
    __int128 p = 1;
    for (int digits = 1; digits <= 39; ++digits) {
        EXPECT_EQ(sql::detail::decimal_digits(p), digits);
        EXPECT_EQ(sql::detail::decimal_digits(-p), digits);
        if (digits > 1) {
            EXPECT_EQ(sql::detail::decimal_digits(p - 1), digits - 1);
        }
        if (digits < 39) p *= 10;
    }
    __int128 max = static_cast<__int128>(~static_cast<unsigned __int128>(0) >> 1);
    EXPECT_EQ(sql::detail::decimal_digits(max), 39);
    EXPECT_EQ(sql::detail::decimal_digits(-max - 1), 39);
}

TEST(arithmetic, integer_addition_overflow_is_an_error) {
    auto e = call("+", {lit_int(2147483647), lit_int(1)});
    EXPECT_EQ(run(e), "ERROR: integer out of range");
    EXPECT_EQ(error_of(e), sql_errc::numeric_value_out_of_range);
    EXPECT_EQ(run_call("*", {i64(INT64_MAX), i64(2)}), "ERROR: bigint out of range");
    EXPECT_EQ(run_call("-", {i16(-32768), i16(1)}), "ERROR: smallint out of range");
    EXPECT_EQ(run_call("-", {lit_int(INT32_MIN)}), "ERROR: integer out of range");
    EXPECT_EQ(run_call("/", {lit_int(INT32_MIN), lit_int(-1)}), "ERROR: integer out of range");
}

TEST(arithmetic, integer_division_truncates_and_modulo_keeps_dividend_sign) {
    EXPECT_EQ(run_call("/", {lit_int(7), lit_int(-2)}), "-3");
    EXPECT_EQ(run_call("%", {lit_int(-7), lit_int(3)}), "-1");
    EXPECT_EQ(run_call("%", {lit_int(INT32_MIN), lit_int(-1)}), "0");
    EXPECT_EQ(run_call("mod", {lit_int(10), lit_int(4)}), "2");
}

TEST(arithmetic, division_by_zero_is_an_error_for_every_numeric_type) {
    for (auto e : {call("/", {lit_int(1), lit_int(0)}), call("%", {lit_int(1), lit_int(0)}),
                   call("/", {f8(1), f8(0)}), call("/", {num("1.5"), num("0.00")})}) {
        EXPECT_EQ(run(e), "ERROR: division by zero");
        EXPECT_EQ(error_of(e), sql_errc::division_by_zero);
    }
}

TEST(arithmetic, numeric_keeps_exact_scales) {
    EXPECT_EQ(run_call("+", {num("1.50"), num("2.005")}), "3.505");
    EXPECT_EQ(run_call("-", {num("1.50"), num("2")}), "-0.50");
    EXPECT_EQ(run_call("*", {num("1.5"), num("2.25")}), "3.375");
    EXPECT_EQ(run_call("/", {num("10"), num("4")}), "2.5000000000000000");
    EXPECT_EQ(run_call("/", {num("1"), num("3")}), "0.33333333333333333333");
    EXPECT_EQ(run_call("%", {num("10.5"), num("3")}), "1.5");
    EXPECT_EQ(run_call("*", {num("99999999999999999999"), num("99999999999999999999")}),
              "ERROR: value overflows numeric format");
}

TEST(arithmetic, mixed_types_promote) {
    auto e = call("+", {lit_int(1), f8(0.5)});
    EXPECT_EQ(e->type.id, type_id::float64);
    EXPECT_EQ(run(e), "1.5");
    EXPECT_EQ(call("+", {i16(1), i64(2)})->type.id, type_id::int64);
    auto n = call("*", {lit_int(3), num("1.25")});
    EXPECT_EQ(n->type.id, type_id::numeric);
    EXPECT_EQ(run(n), "3.75");
}

TEST(arithmetic, unknown_literal_takes_the_other_operand_type) {
    auto e = call("+", {lit_int(1), lit_unknown("41")});
    EXPECT_EQ(e->type.id, type_id::int32);
    EXPECT_EQ(run(e), "42");
    auto eq = call("=", {lit_unknown("a"), lit_unknown("a")});
    EXPECT_EQ(eq->function.arg_types[0].id, type_id::text);
    EXPECT_EQ(run(eq), "t");
    auto ts =
        call("<", {lit(type_id::timestamp, "2024-01-01 00:00:00"), lit_unknown("2024-06-01")});
    EXPECT_EQ(ts->function.arg_types[1].id, type_id::timestamp);
    EXPECT_EQ(run(ts), "t");
}

TEST(arithmetic, operator_mismatch_names_the_operator) {
    auto r = try_call("+", {lit_text("a"), lit_int(1)});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, sql_errc::undefined_function);
    EXPECT_EQ(r.error().message, "operator does not exist: text + integer");
    auto f = try_call("lower", {lit_int(1)});
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.error().message, "function lower(integer) does not exist");
    auto g = try_call("no_such_fn", {});
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.error().message, "function no_such_fn() does not exist");
    EXPECT_TRUE(function_exists("lower"));
    EXPECT_FALSE(function_exists("no_such_fn"));
}

TEST(arithmetic, nulls_propagate_through_strict_operators) {
    EXPECT_EQ(run_call("+", {lit_int(1), lit_null(type_id::int32)}), "NULL");
    // A null divisor is not a division by zero.
    EXPECT_EQ(run_call("/", {lit_int(1), lit_null(type_id::int32)}), "NULL");
}

TEST(arithmetic, float_overflow_is_an_error) {
    EXPECT_EQ(run_call("*", {f8(1e308), f8(10)}), "ERROR: value out of range: overflow");
}

TEST(arithmetic, comparisons_cover_types) {
    EXPECT_EQ(run_call("<", {num("1.5"), num("1.50001")}), "t");
    EXPECT_EQ(run_call("=", {num("1.5"), num("1.500")}), "t");
    EXPECT_EQ(run_call("=", {lit_int(2), num("2.0")}), "t");
    EXPECT_EQ(run_call("<", {lit_text("B"), lit_text("a")}), "t");  // C collation
    EXPECT_EQ(run_call(">", {f8(NAN), f8(1e300)}), "t");
    EXPECT_EQ(run_call("=", {f8(NAN), f8(NAN)}), "t");
    EXPECT_EQ(run_call("=", {lit(type_id::interval, "1 month"), lit(type_id::interval, "30 days")}),
              "t");
    EXPECT_EQ(run_call("<", {lit(type_id::date, "2024-01-01"),
                             lit(type_id::timestamp, "2024-01-01 00:00:01")}),
              "t");
    EXPECT_EQ(run_call("<>", {lit(type_id::boolean, "t"), lit(type_id::boolean, "f")}), "t");
}

TEST(arithmetic, datetime_arithmetic) {
    auto ts = lit(type_id::timestamp, "2024-01-31 10:00:00");
    EXPECT_EQ(run_call("+", {ts, lit(type_id::interval, "1 month")}), "2024-02-29 10:00:00");
    EXPECT_EQ(run_call("-", {ts, lit(type_id::interval, "1 day 2 hours")}), "2024-01-30 08:00:00");
    EXPECT_EQ(run_call("-", {ts, lit(type_id::timestamp, "2024-01-30 08:30:00")}),
              "1 day 01:30:00");
    auto d = lit(type_id::date, "2024-02-28");
    EXPECT_EQ(run_call("+", {d, lit_int(2)}), "2024-03-01");
    EXPECT_EQ(run_call("-", {d, lit(type_id::date, "2024-01-01")}), "58");
    EXPECT_EQ(run_call("+", {d, lit(type_id::interval, "1 hour")}), "2024-02-28 01:00:00");
    EXPECT_EQ(run_call("*", {lit(type_id::interval, "1 day"), f8(1.5)}), "1 day 12:00:00");
    EXPECT_EQ(run_call("+", {lit(type_id::interval, "1 day"), lit(type_id::interval, "2 hours")}),
              "1 day 02:00:00");
    EXPECT_EQ(run_call("-", {lit(type_id::interval, "1 day")}), "-1 days");
}

}  // namespace
}  // namespace arithmetic_test
}  // namespace spate::sql::testing
