#include "sql/exec/key_range.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/serving/key_codec.h"

namespace spate::sql {
namespace key_range_test {
namespace {

// A scan of a view (channel TEXT, auction BIGINT, bids BIGINT) keyed by
// (auction, channel), reading columns (bids, auction, channel).
plan_node view_scan() {
    plan_node scan;
    scan.kind = plan_kind::scan;
    scan.relation.kind = catalog_kind::view;
    scan.relation.name = "v";
    scan.relation.columns = {{"channel", data_type::of(type_id::text)},
                             {"auction", data_type::of(type_id::int64)},
                             {"bids", data_type::of(type_id::int64)}};
    scan.relation.upsert_key = {1, 0};
    scan.scan_columns = {2, 1, 0};
    return scan;
}

expr_ptr bids() {
    return expr::make_column(0, data_type::of(type_id::int64), "bids");
}
expr_ptr auction() {
    return expr::make_column(1, data_type::of(type_id::int64), "auction");
}
expr_ptr channel() {
    return expr::make_column(2, data_type::of(type_id::text), "channel");
}
expr_ptr i64(int64_t v) {
    return expr::make_constant(value::int64(v));
}
expr_ptr txt(std::string v) {
    return expr::make_constant(value::text(std::move(v)));
}

expr_ptr call(const char* op, expr_ptr a, expr_ptr b) {
    auto e = make_call(op, {std::move(a), std::move(b)});
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message);
    return e.value();
}

expr_ptr both(std::vector<expr_ptr> parts) {
    return expr::make(expr_kind::and_, data_type::of(type_id::boolean), std::move(parts));
}

std::string k(int64_t v) {
    std::string out;
    encode_key_value(value::int64(v), out);
    return out;
}
std::string k(int64_t v, const std::string& ch) {
    std::string out = k(v);
    encode_key_value(value::text(ch), out);
    return out;
}

key_lookup lookup(const expr_ptr& predicate, std::vector<value> params = {}) {
    eval_context ctx;
    ctx.parameters = params;
    auto l = plan_key_lookup(*predicate, view_scan(), ctx);
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message);
    return l.ok() ? l.value() : key_lookup{};
}

TEST(key_range, equality_on_the_leading_key_column_is_a_prefix) {
    auto l = lookup(call("=", auction(), i64(42)));
    ASSERT_EQ(l.ranges.size(), 1u);
    EXPECT_EQ(l.prefix_columns, 1u);
    EXPECT_EQ(l.ranges[0].lower, k(42));
    EXPECT_EQ(l.ranges[0].upper, prefix_successor(k(42)));
}

TEST(key_range, equalities_on_every_key_column_are_a_point) {
    auto l = lookup(both({call("=", channel(), txt("web")), call("=", i64(7), auction())}));
    ASSERT_EQ(l.ranges.size(), 1u);
    EXPECT_EQ(l.prefix_columns, 2u);
    EXPECT_EQ(l.ranges[0].lower, k(7, "web"));
    EXPECT_EQ(l.ranges[0].upper, prefix_successor(k(7, "web")));
}

TEST(key_range, bounds_on_the_leading_column_make_a_range) {
    auto l = lookup(both({call(">=", auction(), i64(10)), call("<", auction(), i64(20))}));
    ASSERT_EQ(l.ranges.size(), 1u);
    EXPECT_TRUE(l.bounded_next);
    EXPECT_EQ(l.ranges[0].lower, k(10));
    EXPECT_EQ(l.ranges[0].upper, k(20));

    auto open = lookup(both({call(">", auction(), i64(10)), call("<=", auction(), i64(20))}));
    ASSERT_EQ(open.ranges.size(), 1u);
    EXPECT_EQ(open.ranges[0].lower, prefix_successor(k(10)));
    EXPECT_EQ(open.ranges[0].upper, prefix_successor(k(20)));

    auto flipped = lookup(call("<", i64(5), auction()));  // 5 < auction: auction > 5
    ASSERT_EQ(flipped.ranges.size(), 1u);
    EXPECT_EQ(flipped.ranges[0].lower, prefix_successor(k(5)));
    EXPECT_EQ(flipped.ranges[0].upper, "");
}

TEST(key_range, the_tightest_of_several_bounds_wins) {
    auto l = lookup(both({call(">", auction(), i64(3)), call(">=", auction(), i64(8)),
                          call("<", auction(), i64(100)), call("<=", auction(), i64(50))}));
    ASSERT_EQ(l.ranges.size(), 1u);
    EXPECT_EQ(l.ranges[0].lower, k(8));
    EXPECT_EQ(l.ranges[0].upper, prefix_successor(k(50)));
}

TEST(key_range, an_empty_or_null_comparison_matches_nothing) {
    EXPECT_TRUE(
        lookup(both({call(">", auction(), i64(10)), call("<", auction(), i64(5))})).ranges.empty());
    auto null = expr::make_constant(value::null(data_type::of(type_id::int64)));
    EXPECT_TRUE(lookup(call("=", auction(), null)).ranges.empty());
    EXPECT_TRUE(
        lookup(both({call("=", auction(), i64(1)), call("=", auction(), i64(2))})).ranges.empty());
}

TEST(key_range, in_lists_make_one_sorted_range_per_distinct_value) {
    auto eq = resolve_function(
        "=", std::vector<data_type>{data_type::of(type_id::int64), data_type::of(type_id::int64)});
    ASSERT_TRUE(eq.ok());
    auto in = expr::make_compare(expr_kind::in_list, data_type::of(type_id::boolean), eq.value(),
                                 {auction(), i64(9), i64(-2), i64(9)});
    auto l = lookup(in);
    ASSERT_EQ(l.ranges.size(), 2u);
    EXPECT_EQ(l.ranges[0].lower, k(-2));
    EXPECT_EQ(l.ranges[1].lower, k(9));
}

TEST(key_range, a_range_on_the_second_key_column_needs_the_first_fixed) {
    // channel alone is not a prefix of (auction, channel): a full scan.
    auto l = lookup(call("=", channel(), txt("web")));
    ASSERT_EQ(l.ranges.size(), 1u);
    EXPECT_EQ(l.prefix_columns, 0u);
    EXPECT_EQ(l.ranges[0].lower, "");
    EXPECT_EQ(l.ranges[0].upper, "");

    auto narrowed = lookup(both({call("=", auction(), i64(3)), call(">=", channel(), txt("b"))}));
    ASSERT_EQ(narrowed.ranges.size(), 1u);
    EXPECT_EQ(narrowed.ranges[0].lower, k(3, "b"));
    EXPECT_EQ(narrowed.ranges[0].upper, prefix_successor(k(3)));
}

TEST(key_range, non_key_columns_and_column_expressions_are_left_to_the_filter) {
    auto l =
        lookup(both({call("=", bids(), i64(3)), call("=", call("+", auction(), i64(1)), i64(4))}));
    ASSERT_EQ(l.ranges.size(), 1u);
    EXPECT_EQ(l.ranges[0].lower, "");
    EXPECT_EQ(l.ranges[0].upper, "");
}

TEST(key_range, parameters_are_bound_values) {
    auto p = expr::make_parameter(0, data_type::of(type_id::int64));
    auto l = lookup(call("=", auction(), p), {value::int64(77)});
    ASSERT_EQ(l.ranges.size(), 1u);
    EXPECT_EQ(l.ranges[0].lower, k(77));
}

}  // namespace
}  // namespace key_range_test
}  // namespace spate::sql
