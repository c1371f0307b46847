// Windowed grouping keys (bind_window_keys.h) over hand-built plans:
// scan-like input (user, ts) -> window -> project/filter -> aggregate.

#include <gtest/gtest.h>

#include "sql/plan/bind_window_keys.h"

namespace spate::sql {
namespace window_keys_test {
namespace {

const data_type k_int = data_type::of(type_id::int64);
const data_type k_ts = data_type::of(type_id::timestamp);

plan_ptr node(plan_kind k, std::vector<column_def> schema, std::vector<plan_ptr> inputs) {
    auto p = std::make_shared<plan_node>();
    p->kind = k;
    p->schema = std::move(schema);
    p->inputs = std::move(inputs);
    return p;
}

expr_ptr col(int i, data_type t, const char* name) {
    return expr::make_column(i, t, name);
}

// window(user, ts) -> (user, ts, window_start, window_end)
plan_ptr window(window_kind kind) {
    auto in = node(plan_kind::values, {{"user", k_int}, {"ts", k_ts}}, {});
    auto w =
        node(plan_kind::window,
             {{"user", k_int}, {"ts", k_ts}, {"window_start", k_ts}, {"window_end", k_ts}}, {in});
    w->window.kind = kind;
    w->window.time_column = 1;
    w->window.size_us = 60'000'000;
    return w;
}

// project(exprs over the window) -> filter -> aggregate(keys over the filter)
plan_ptr aggregate_over(plan_ptr w, std::vector<expr_ptr> projected, std::vector<expr_ptr> keys) {
    std::vector<column_def> schema;
    for (const auto& e : projected)
        schema.push_back({e->name, e->type});
    auto proj = node(plan_kind::project, schema, {w});
    proj->exprs = std::move(projected);
    auto filter = node(plan_kind::filter, schema, {proj});
    filter->predicate = expr::make_constant(value::boolean(true));
    auto agg = node(plan_kind::aggregate, {}, {filter});
    agg->group_keys = std::move(keys);
    return agg;
}

TEST(window_keys, a_window_end_key_through_projects_and_filters_is_marked) {
    auto w = window(window_kind::tumble);
    auto agg = aggregate_over(
        w, {col(0, k_int, "user"), col(2, k_ts, "window_start"), col(3, k_ts, "window_end")},
        {col(1, k_ts, "window_start"), col(2, k_ts, "window_end")});
    ASSERT_TRUE(bind_window_keys(*agg).ok());
    EXPECT_EQ(agg->window_end_key, 1);
    EXPECT_EQ(agg->group_keys.size(), 2u);
    EXPECT_TRUE(w->window.session_keys.empty());
}

TEST(window_keys, grouping_by_window_start_alone_adds_window_end_as_a_key) {
    auto w = window(window_kind::hop);
    auto agg = aggregate_over(w, {col(0, k_int, "user"), col(2, k_ts, "window_start")},
                              {col(0, k_int, "user"), col(1, k_ts, "window_start")});
    ASSERT_TRUE(bind_window_keys(*agg).ok());
    ASSERT_EQ(agg->group_keys.size(), 3u);
    EXPECT_EQ(agg->window_end_key, 2);
    const expr& added = *agg->group_keys[2];
    ASSERT_EQ(added.kind, expr_kind::column_ref);
    EXPECT_EQ(added.column, 2);
    // The project below carries window_end now, and the filter's schema too.
    const plan_node& filter = *agg->inputs[0];
    const plan_node& proj = *filter.inputs[0];
    ASSERT_EQ(proj.exprs.size(), 3u);
    EXPECT_EQ(proj.exprs[2]->column, 3);
    EXPECT_EQ(proj.schema[2].name, "window_end");
    EXPECT_EQ(filter.schema.size(), 3u);
}

TEST(window_keys, session_windows_take_the_other_keys_as_session_keys) {
    auto w = window(window_kind::session);
    auto agg = aggregate_over(
        w, {col(3, k_ts, "window_end"), col(0, k_int, "user"), col(2, k_ts, "window_start")},
        {col(1, k_int, "user"), col(0, k_ts, "window_end"), col(2, k_ts, "window_start")});
    ASSERT_TRUE(bind_window_keys(*agg).ok());
    EXPECT_EQ(agg->window_end_key, 1);
    EXPECT_EQ(w->window.session_keys, std::vector<int>{0});
}

TEST(window_keys, session_keys_must_be_plain_input_columns) {
    auto w = window(window_kind::session);
    auto plus = expr::make(expr_kind::coalesce, k_int, {col(0, k_int, "user")});
    auto agg = aggregate_over(w, {plus, col(3, k_ts, "window_end")},
                              {col(0, k_int, "?column?"), col(1, k_ts, "window_end")});
    auto s = bind_window_keys(*agg);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, sql_errc::feature_not_supported);
}

TEST(window_keys, computed_columns_and_plans_without_windows_are_left_alone) {
    auto w = window(window_kind::tumble);
    auto wrapped = expr::make(expr_kind::coalesce, k_ts, {col(3, k_ts, "window_end")});
    auto agg = aggregate_over(w, {wrapped}, {col(0, k_ts, "coalesce")});
    ASSERT_TRUE(bind_window_keys(*agg).ok());
    EXPECT_EQ(agg->window_end_key, -1);
    EXPECT_EQ(agg->group_keys.size(), 1u);
    auto plain = aggregate_over(node(plan_kind::values, {{"user", k_int}}, {}),
                                {col(0, k_int, "user")}, {col(0, k_int, "user")});
    ASSERT_TRUE(bind_window_keys(*plain).ok());
    EXPECT_EQ(plain->window_end_key, -1);
}

}  // namespace
}  // namespace window_keys_test
}  // namespace spate::sql
