#include <gtest/gtest.h>

#include <cmath>

#include "sql/expr/tests/expr_test_util.h"

namespace spate::sql::testing {
namespace casts_test {
namespace {

std::string run_cast(expr_ptr e, data_type to, cast_context ctx = cast_context::explicit_) {
    auto c = try_cast(std::move(e), to, ctx);
    if (!c) return "ERROR: " + c.error().message;
    return run(c.value());
}
data_type of(type_id t) {
    return data_type::of(t);
}

TEST(casts, text_parses_into_any_type) {
    EXPECT_EQ(run_cast(lit_text("12"), of(type_id::int32)), "12");
    EXPECT_EQ(run_cast(lit_text(" 1.50 "), of(type_id::numeric)), "1.50");
    EXPECT_EQ(run_cast(lit_text("2024-02-29"), of(type_id::date)), "2024-02-29");
    auto bad = try_cast(lit_text("x1"), of(type_id::int32));
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(error_of(bad.value()), sql_errc::invalid_text_representation);
}

TEST(casts, any_type_formats_as_text) {
    EXPECT_EQ(run_cast(lit_int(42), of(type_id::text)), "42");
    EXPECT_EQ(run_cast(lit(type_id::boolean, "t"), of(type_id::text)), "true");
    EXPECT_EQ(run_cast(lit(type_id::numeric, "1.50"), of(type_id::text)), "1.50");
    EXPECT_EQ(run_cast(lit(type_id::interval, "1 day 02:00:00"), of(type_id::text)),
              "1 day 02:00:00");
}

TEST(casts, float_and_numeric_to_integer_round_half_away_from_zero) {
    EXPECT_EQ(run_cast(expr::make_constant(value::float64(2.5)), of(type_id::int32)), "3");
    EXPECT_EQ(run_cast(expr::make_constant(value::float64(-2.5)), of(type_id::int32)), "-3");
    EXPECT_EQ(run_cast(lit(type_id::numeric, "-3.5"), of(type_id::int64)), "-4");
    EXPECT_EQ(run_cast(lit_int(70000), of(type_id::int16)), "ERROR: smallint out of range");
    EXPECT_EQ(run_cast(expr::make_constant(value::float64(1e20)), of(type_id::int64)),
              "ERROR: bigint out of range");
    EXPECT_EQ(run_cast(expr::make_constant(value::float64(NAN)), of(type_id::int32)),
              "ERROR: integer out of range");
}

TEST(casts, numeric_typmod_rounds_and_checks_precision) {
    EXPECT_EQ(run_cast(lit(type_id::numeric, "123.456"), data_type::numeric(5, 2)), "123.46");
    EXPECT_EQ(run_cast(lit_int(7), data_type::numeric(5, 2)), "7.00");
    EXPECT_EQ(run_cast(lit(type_id::numeric, "1234.5"), data_type::numeric(5, 2)),
              "ERROR: numeric field overflow");
    EXPECT_EQ(run_cast(expr::make_constant(value::float64(0.1)), of(type_id::numeric)), "0.1");
    EXPECT_EQ(run_cast(lit(type_id::numeric, "0.125"), of(type_id::float64)), "0.125");
    EXPECT_EQ(run_cast(expr::make_constant(value::float64(1e300)), of(type_id::numeric)),
              "ERROR: value overflows numeric format");
    EXPECT_EQ(run_cast(expr::make_constant(value::float64(NAN)), of(type_id::numeric)),
              "ERROR: cannot convert NaN to numeric");
}

TEST(casts, varchar_truncates_explicitly_and_fails_on_assignment) {
    data_type v3{type_id::text, 3, -1, true};
    EXPECT_EQ(run_cast(lit_text("abcdef"), v3), "abc");
    EXPECT_EQ(run_cast(lit_text("abcdef"), v3, cast_context::assignment),
              "ERROR: value too long for type character varying(3)");
    EXPECT_EQ(run_cast(lit_text("ab   "), v3, cast_context::assignment), "ab ");
    EXPECT_EQ(run_cast(lit_text("héllo"), v3), "hél");
}

TEST(casts, contexts_limit_what_is_allowed) {
    EXPECT_TRUE(can_cast_implicitly(of(type_id::int32), of(type_id::int64)));
    EXPECT_FALSE(can_cast_implicitly(of(type_id::int64), of(type_id::int32)));
    EXPECT_TRUE(can_cast_implicitly(of(type_id::date), of(type_id::timestamptz)));
    EXPECT_FALSE(can_cast_implicitly(of(type_id::text), of(type_id::int32)));
    EXPECT_FALSE(resolve_cast(of(type_id::int64), of(type_id::int32), cast_context::implicit).ok());
    EXPECT_TRUE(
        resolve_cast(of(type_id::int64), of(type_id::int32), cast_context::assignment).ok());
    auto r = resolve_cast(of(type_id::bytea), of(type_id::int32), cast_context::explicit_);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, sql_errc::cannot_coerce);
    EXPECT_EQ(r.error().message, "cannot cast type bytea to integer");
    EXPECT_FALSE(resolve_cast(of(type_id::int32), of(type_id::int32), cast_context::implicit)
                     .value()
                     .kernel);
}

TEST(casts, boolean_and_integer_convert_both_ways) {
    EXPECT_EQ(run_cast(lit(type_id::boolean, "t"), of(type_id::int32)), "1");
    EXPECT_EQ(run_cast(lit_int(0), of(type_id::boolean)), "f");
    EXPECT_EQ(run_cast(lit_int(-4), of(type_id::boolean)), "t");
}

TEST(casts, jsonb_scalars_convert_to_sql_types) {
    EXPECT_EQ(run_cast(lit(type_id::jsonb, "1.5"), of(type_id::int32)), "2");
    EXPECT_EQ(run_cast(lit(type_id::jsonb, "true"), of(type_id::boolean)), "t");
    EXPECT_EQ(run_cast(lit(type_id::jsonb, "12.25"), of(type_id::numeric)), "12.25");
    EXPECT_EQ(run_cast(lit(type_id::jsonb, "\"x\""), of(type_id::int32)),
              "ERROR: cannot cast jsonb string to type integer");
    EXPECT_EQ(run_cast(lit_text("{\"a\": 1}"), of(type_id::jsonb)), "{\"a\": 1}");
    EXPECT_EQ(run_cast(lit(type_id::jsonb, "[1, 2]"), of(type_id::text)), "[1, 2]");
}

TEST(casts, temporal_types_convert) {
    EXPECT_EQ(run_cast(lit(type_id::date, "2024-03-01"), of(type_id::timestamp)),
              "2024-03-01 00:00:00");
    EXPECT_EQ(run_cast(lit(type_id::timestamp, "2024-03-01 13:14:15"), of(type_id::date)),
              "2024-03-01");
    EXPECT_EQ(run_cast(lit(type_id::timestamp, "1969-12-31 23:00:00"), of(type_id::date)),
              "1969-12-31");
    EXPECT_EQ(run_cast(lit(type_id::timestamp, "2024-03-01 13:14:15"), of(type_id::time)),
              "13:14:15");
    EXPECT_EQ(run_cast(lit(type_id::timestamp, "2024-03-01 13:14:15"), of(type_id::timestamptz)),
              "2024-03-01 13:14:15+00");
}

TEST(casts, nulls_stay_null) {
    EXPECT_EQ(run_cast(lit_null(type_id::text), of(type_id::int32)), "NULL");
    EXPECT_EQ(run_cast(lit_null(type_id::int32), of(type_id::text)), "NULL");
    EXPECT_EQ(run_cast(lit_null(type_id::float64), of(type_id::int32)), "NULL");
}

TEST(common_types, follow_promotion_and_unknown_rules) {
    EXPECT_EQ(common_type(of(type_id::int32), of(type_id::numeric)).value().id, type_id::numeric);
    EXPECT_EQ(common_type(of(type_id::unknown), of(type_id::date)).value().id, type_id::date);
    EXPECT_EQ(common_type(of(type_id::unknown), of(type_id::unknown)).value().id, type_id::text);
    EXPECT_EQ(common_type(of(type_id::date), of(type_id::timestamp)).value().id,
              type_id::timestamp);
    auto bad = common_type(of(type_id::int32), of(type_id::text));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, sql_errc::datatype_mismatch);
}

}  // namespace
}  // namespace casts_test
}  // namespace spate::sql::testing
