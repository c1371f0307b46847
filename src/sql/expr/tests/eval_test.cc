#include <gtest/gtest.h>

#include "sql/expr/tests/expr_test_util.h"

namespace spate::sql::testing {
namespace eval_test {
namespace {

const data_type k_bool = data_type::of(type_id::boolean);
const data_type k_int = data_type::of(type_id::int32);

// Columns a, b: every pair of {true, false, null}.
chunk truth_table() {
    std::vector<std::optional<bool>> v = {true, false, std::nullopt};
    std::vector<std::optional<bool>> a, b;
    for (auto x : v) {
        for (auto y : v) {
            a.push_back(x);
            b.push_back(y);
        }
    }
    return chunk({bool_column(a), bool_column(b)});
}

TEST(eval, and_or_not_follow_three_valued_logic) {
    chunk in = truth_table();
    auto a = expr::make_column(0, k_bool, "a");
    auto b = expr::make_column(1, k_bool, "b");
    EXPECT_EQ(eval_texts(expr::make(expr_kind::and_, k_bool, {a, b}), in),
              (std::vector<std::string>{"t", "f", "NULL", "f", "f", "f", "NULL", "f", "NULL"}));
    EXPECT_EQ(eval_texts(expr::make(expr_kind::or_, k_bool, {a, b}), in),
              (std::vector<std::string>{"t", "t", "t", "t", "f", "NULL", "t", "NULL", "NULL"}));
    EXPECT_EQ(eval_texts(expr::make(expr_kind::not_, k_bool, {a}), in),
              (std::vector<std::string>{"f", "f", "f", "t", "t", "t", "NULL", "NULL", "NULL"}));
}

TEST(eval, null_tests_never_return_null) {
    chunk in({bool_column({true, false, std::nullopt})});
    auto a = expr::make_column(0, k_bool, "a");
    EXPECT_EQ(eval_texts(expr::make(expr_kind::is_null, k_bool, {a}), in),
              (std::vector<std::string>{"f", "f", "t"}));
    EXPECT_EQ(eval_texts(expr::make(expr_kind::is_not_null, k_bool, {a}), in),
              (std::vector<std::string>{"t", "t", "f"}));
    EXPECT_EQ(eval_texts(expr::make(expr_kind::is_true, k_bool, {a}), in),
              (std::vector<std::string>{"t", "f", "f"}));
    EXPECT_EQ(eval_texts(expr::make(expr_kind::is_false, k_bool, {a}), in),
              (std::vector<std::string>{"f", "t", "f"}));
}

TEST(eval, case_evaluates_branches_only_on_their_rows) {
    chunk in({int_column({0, 2, 5, std::nullopt})});
    auto x = expr::make_column(0, k_int, "x");
    auto cond = call("<>", {x, lit_int(0)});
    auto div = call("/", {lit_int(10), x});
    auto e = expr::make_case(k_int, {cond, div, lit_int(-1)}, true);
    EXPECT_EQ(eval_texts(e, in), (std::vector<std::string>{"-1", "5", "2", "-1"}));
    // Without ELSE unmatched rows are null.
    auto no_else = expr::make_case(k_int, {cond, div}, false);
    EXPECT_EQ(eval_texts(no_else, in), (std::vector<std::string>{"NULL", "5", "2", "NULL"}));
    // The division alone fails.
    EXPECT_EQ(eval_texts(div, in), (std::vector<std::string>{"ERROR: division by zero"}));
}

TEST(eval, and_skips_rows_already_false) {
    chunk in({int_column({0, 2, 20})});
    auto x = expr::make_column(0, k_int, "x");
    auto guard = call("<>", {x, lit_int(0)});
    auto test = call(">", {call("/", {lit_int(10), x}), lit_int(1)});
    auto e = expr::make(expr_kind::and_, k_bool, {guard, test});
    auto keep = evaluate_predicate(*e, in, test_context());
    ASSERT_TRUE(keep.ok());
    EXPECT_EQ(keep.value(), (std::vector<uint8_t>{0, 1, 0}));
}

TEST(eval, coalesce_evaluates_later_arguments_only_for_null_rows) {
    chunk in({int_column({1, std::nullopt, 3}), int_column({0, 5, 0})});
    auto x = expr::make_column(0, k_int, "x");
    auto y = expr::make_column(1, k_int, "y");
    auto e = expr::make(expr_kind::coalesce, k_int, {x, call("/", {lit_int(10), y}), lit_int(0)});
    EXPECT_EQ(eval_texts(e, in), (std::vector<std::string>{"1", "2", "3"}));
    auto all_null = expr::make(expr_kind::coalesce, k_int, {lit_null(type_id::int32)});
    EXPECT_EQ(run(all_null), "NULL");
}

expr_ptr in_list(expr_ptr lhs, std::vector<expr_ptr> list) {
    auto eq = resolve_function("=", std::vector<data_type>{k_int, k_int});
    EXPECT_TRUE(eq.ok());
    auto e = std::make_shared<expr>();
    e->kind = expr_kind::in_list;
    e->type = k_bool;
    e->function = eq.value();
    e->args.push_back(std::move(lhs));
    for (auto& x : list)
        e->args.push_back(std::move(x));
    return e;
}

TEST(eval, in_list_follows_sql_null_rules) {
    auto null = lit_null(type_id::int32);
    EXPECT_EQ(run(in_list(lit_int(1), {lit_int(2), lit_int(1)})), "t");
    EXPECT_EQ(run(in_list(lit_int(3), {lit_int(2), lit_int(1)})), "f");
    EXPECT_EQ(run(in_list(lit_int(1), {lit_int(2), null})), "NULL");
    EXPECT_EQ(run(in_list(lit_int(1), {null, lit_int(1)})), "t");
    EXPECT_EQ(run(in_list(null, {lit_int(1)})), "NULL");
}

TEST(eval, nullif_nulls_equal_values) {
    auto eq = resolve_function("=", std::vector<data_type>{k_int, k_int});
    ASSERT_TRUE(eq.ok());
    auto make = [&](expr_ptr a, expr_ptr b) {
        return expr::make_compare(expr_kind::nullif, k_int, eq.value(),
                                  {std::move(a), std::move(b)});
    };
    EXPECT_EQ(run(make(lit_int(1), lit_int(1))), "NULL");
    EXPECT_EQ(run(make(lit_int(1), lit_int(2))), "1");
    EXPECT_EQ(run(make(lit_int(1), lit_null(type_id::int32))), "1");
}

TEST(eval, parameters_come_from_the_context) {
    std::vector<value> params = {value::int32(7), value::text("12")};
    eval_context ctx = test_context();
    ctx.parameters = params;
    auto e = call("+", {expr::make_parameter(0, k_int), expr::make_parameter(1, k_int)});
    auto v = evaluate_constant(*e, ctx);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(v.value().get<int32_t>(), 19);
    auto missing = evaluate_constant(*expr::make_parameter(5, k_int), ctx);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, sql_errc::undefined_parameter);
}

TEST(eval, column_function_evaluates_every_row) {
    chunk in({int_column({1, std::nullopt, 3})});
    auto e = call("*", {expr::make_column(0, k_int, "x"), lit_int(2)});
    EXPECT_EQ(eval_texts(e, in), (std::vector<std::string>{"2", "NULL", "6"}));
}

TEST(eval, null_rows_are_not_computed_by_strict_kernels) {
    // The null divisor's slot holds 0; the row is null, not a division by zero.
    chunk in({int_column({10, 10}), int_column({2, std::nullopt})});
    auto e = call("/", {expr::make_column(0, k_int, "x"), expr::make_column(1, k_int, "y")});
    EXPECT_EQ(eval_texts(e, in), (std::vector<std::string>{"5", "NULL"}));
}

TEST(eval, untyped_null_branches_and_predicates_are_null) {
    chunk in({int_column({1, 2})});
    auto x = expr::make_column(0, k_int, "x");
    auto e =
        expr::make_case(k_int, {call(">", {x, lit_int(1)}), lit_null(type_id::unknown), x}, true);
    EXPECT_EQ(eval_texts(e, in), (std::vector<std::string>{"1", "NULL"}));
    auto keep = evaluate_predicate(*lit_null(type_id::unknown), in, test_context());
    ASSERT_TRUE(keep.ok());
    EXPECT_EQ(keep.value(), (std::vector<uint8_t>{0, 0}));
}

TEST(eval, empty_chunks_give_empty_columns) {
    chunk in({int_column({})});
    auto e = call("+", {expr::make_column(0, k_int, "x"), lit_int(1)});
    auto r = evaluate(*e, in, test_context());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().size(), 0u);
    auto c = expr::make_case(
        k_int, {call(">", {expr::make_column(0, k_int, "x"), lit_int(0)}), lit_int(1)}, false);
    auto rc = evaluate(*c, in, test_context());
    ASSERT_TRUE(rc.ok());
    EXPECT_EQ(rc.value().size(), 0u);
}

TEST(expr, to_string_renders_explain_text) {
    auto x = expr::make_column(0, data_type::of(type_id::numeric), "price");
    EXPECT_EQ(to_string(*call("*", {x, lit(type_id::numeric, "0.908")})), "(price * 0.908)");
    auto i = expr::make_column(1, k_int, "qty");
    EXPECT_EQ(to_string(*call("*", {i, lit(type_id::numeric, "0.5")})),
              "(CAST(qty AS NUMERIC) * 0.5)");
    EXPECT_EQ(to_string(*call("lower", {lit_text("A")})), "lower('A')");
    EXPECT_EQ(to_string(*expr::make_parameter(0, k_int)), "$1");
    EXPECT_EQ(to_string(*expr::make_column(3, k_int, "")), "#3");
    EXPECT_EQ(to_string(*call("~~", {lit_text("a"), lit_text("b%")})), "('a' LIKE 'b%')");
    EXPECT_EQ(to_string(*expr::make(expr_kind::is_null, k_bool, {x})), "(price IS NULL)");
    EXPECT_EQ(to_string(*expr::make_case(
                  k_int, {lit(type_id::boolean, "t"), lit_int(1), lit_int(2)}, true)),
              "CASE WHEN true THEN 1 ELSE 2 END");
}

TEST(expr, coerce_adds_a_cast_only_when_types_differ) {
    auto x = expr::make_column(0, k_int, "x");
    auto same = coerce(x, k_int, cast_context::implicit);
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(same.value(), x);
    auto wider = coerce(x, data_type::of(type_id::int64), cast_context::implicit);
    ASSERT_TRUE(wider.ok());
    EXPECT_EQ(wider.value()->kind, expr_kind::cast);
    auto narrower = coerce(expr::make_column(0, data_type::of(type_id::int64), "y"), k_int,
                           cast_context::implicit);
    ASSERT_FALSE(narrower.ok());
    EXPECT_EQ(narrower.error().code, sql_errc::cannot_coerce);
}

TEST(expr, constness_and_column_references) {
    auto x = expr::make_column(2, k_int, "x");
    auto sum = call("+", {x, lit_int(1)});
    EXPECT_FALSE(is_constant(*sum));
    EXPECT_TRUE(is_constant(*call("+", {lit_int(1), lit_int(1)})));
    EXPECT_FALSE(is_constant(*call("now", {})));
    EXPECT_FALSE(is_constant(*expr::make_parameter(0, k_int)));
    std::vector<int> cols;
    referenced_columns(*call("+", {sum, expr::make_column(0, k_int, "y")}), cols);
    EXPECT_EQ(cols, (std::vector<int>{2, 0}));
    auto remapped = remap_columns(sum, {9, 9, 0});
    cols.clear();
    referenced_columns(*remapped, cols);
    EXPECT_EQ(cols, (std::vector<int>{0}));
    EXPECT_EQ(sum->args[0]->column, 2);  // the original is untouched
}

}  // namespace
}  // namespace eval_test
}  // namespace spate::sql::testing
