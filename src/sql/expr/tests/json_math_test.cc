#include <gtest/gtest.h>

#include <cmath>

#include "sql/expr/tests/expr_test_util.h"

namespace spate::sql::testing {
namespace json_math_test {
namespace {

expr_ptr doc() {
    return lit(type_id::jsonb, R"({"a": {"b": [1, 2, {"c": "x"}]}, "s": "str", "n": null})");
}
expr_ptr num(std::string_view s) {
    return lit(type_id::numeric, s);
}
expr_ptr f8(double v) {
    return expr::make_constant(value::float64(v));
}

TEST(json_operators, navigate_keys_and_indexes) {
    auto b = call("->", {call("->", {doc(), lit_unknown("a")}), lit_unknown("b")});
    EXPECT_EQ(b->type.id, type_id::jsonb);
    EXPECT_EQ(run(b), "[1, 2, {\"c\": \"x\"}]");
    EXPECT_EQ(run_call("->>", {b, lit_int(1)}), "2");
    EXPECT_EQ(run_call("->", {b, lit_int(-1)}), "{\"c\": \"x\"}");
    EXPECT_EQ(run_call("->", {b, lit_int(7)}), "NULL");
    EXPECT_EQ(run_call("->>", {doc(), lit_unknown("s")}), "str");
    EXPECT_EQ(run_call("->", {doc(), lit_unknown("s")}), "\"str\"");
    EXPECT_EQ(run_call("->>", {doc(), lit_unknown("n")}), "NULL");
    EXPECT_EQ(run_call("->", {doc(), lit_unknown("n")}), "null");
    EXPECT_EQ(run_call("->", {doc(), lit_unknown("missing")}), "NULL");
    EXPECT_EQ(run_call("->", {lit_null(type_id::jsonb), lit_unknown("a")}), "NULL");
}

TEST(json_operators, unescape_strings_and_match_escaped_keys) {
    auto d = lit(type_id::jsonb,
                 R"({"k\"q": "a\nb\u00e9\ud83d\ude00", "arr": ["x", [1, {"y": null}]]})");
    EXPECT_EQ(run_call("->>", {d, lit_unknown("k\"q")}), "a\nbé😀");
    // jsonb input already turned the \u escapes into UTF-8, as PostgreSQL.
    EXPECT_EQ(run_call("->", {d, lit_unknown("k\"q")}), R"("a\nbé😀")");
    EXPECT_EQ(run_call("#>", {d, lit_unknown("{arr,1,1}")}), R"({"y": null})");
    EXPECT_EQ(run_call("#>>", {d, lit_unknown("{arr,1,1,y}")}), "NULL");
    EXPECT_EQ(run_call("#>>", {d, lit_unknown("{arr,-2}")}), "x");
    EXPECT_EQ(run_call("#>", {d, lit_unknown("{arr,x}")}), "NULL");
    EXPECT_EQ(run_call("->", {lit(type_id::jsonb, "[]"), lit_int(0)}), "NULL");
    EXPECT_EQ(run_call("->", {lit(type_id::jsonb, "{}"), lit_unknown("a")}), "NULL");
    EXPECT_EQ(run_call("->", {lit(type_id::jsonb, "5"), lit_unknown("a")}), "NULL");
}

TEST(json_operators, follow_paths) {
    EXPECT_EQ(run_call("#>>", {doc(), lit_unknown("{a,b,2,c}")}), "x");
    EXPECT_EQ(run_call("#>", {doc(), lit_unknown("{a,b,0}")}), "1");
    EXPECT_EQ(run_call("#>", {doc(), lit_unknown("{a,zz}")}), "NULL");
    EXPECT_EQ(run_call("jsonb_typeof", {doc()}), "object");
    EXPECT_EQ(run_call("jsonb_array_length", {lit(type_id::jsonb, "[1,2,3]")}), "3");
}

TEST(math_functions, rounding) {
    EXPECT_EQ(run_call("round", {num("2.5")}), "3");
    EXPECT_EQ(run_call("round", {num("-2.5")}), "-3");
    EXPECT_EQ(run_call("round", {num("1.2345"), lit_int(2)}), "1.23");
    EXPECT_EQ(run_call("round", {num("1250"), lit_int(-2)}), "1300");
    EXPECT_EQ(run_call("round", {f8(2.5)}), "2");  // double rounds half to even
    EXPECT_EQ(run_call("ceil", {num("-1.5")}), "-1");
    EXPECT_EQ(run_call("floor", {num("-1.5")}), "-2");
    EXPECT_EQ(run_call("trunc", {num("-1.5")}), "-1");
    EXPECT_EQ(run_call("trunc", {num("1.567"), lit_int(1)}), "1.5");
    EXPECT_EQ(run_call("ceiling", {f8(1.2)}), "2");
}

TEST(math_functions, abs_sign_and_errors) {
    EXPECT_EQ(run_call("abs", {lit_int(-4)}), "4");
    EXPECT_EQ(run_call("abs", {lit_int(INT32_MIN)}), "ERROR: integer out of range");
    EXPECT_EQ(run_call("abs", {num("-1.50")}), "1.50");
    EXPECT_EQ(run_call("sign", {num("-3.2")}), "-1");
    EXPECT_EQ(run_call("sqrt", {f8(16)}), "4");
    EXPECT_EQ(run_call("sqrt", {f8(-1)}), "ERROR: cannot take square root of a negative number");
    EXPECT_EQ(run_call("ln", {f8(0)}), "ERROR: cannot take logarithm of zero");
    EXPECT_EQ(run_call("log", {f8(1000)}), "3");
    EXPECT_EQ(run_call("power", {lit_int(2), lit_int(10)}), "1024");
    EXPECT_EQ(run_call("power", {f8(0), f8(-1)}),
              "ERROR: zero raised to a negative power is undefined");
    EXPECT_EQ(run_call("exp", {f8(0)}), "1");
    EXPECT_EQ(run_call("mod", {num("7.5"), num("2")}), "1.5");
}

TEST(math_functions, greatest_and_least_ignore_nulls) {
    EXPECT_EQ(run_call("greatest", {lit_int(1), lit_null(type_id::int32), lit_int(3)}), "3");
    EXPECT_EQ(run_call("least", {lit_int(1), lit_null(type_id::int32), lit_int(3)}), "1");
    EXPECT_EQ(run_call("least", {lit_null(type_id::int32), lit_null(type_id::int32)}), "NULL");
    auto mixed = call("greatest", {lit_int(1), num("2.5")});
    EXPECT_EQ(mixed->type.id, type_id::numeric);
    EXPECT_EQ(run(mixed), "2.5");
    EXPECT_EQ(run_call("greatest", {lit_text("apple"), lit_unknown("pear")}), "pear");
}

}  // namespace
}  // namespace json_math_test
}  // namespace spate::sql::testing
