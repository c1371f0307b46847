#pragma once

// Logical plans built by hand for the streaming planner's and runtime's
// tests (what the binder yields for GROUP BY and window functions).

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sql/agg/aggregate_function.h"
#include "sql/plan/logical_plan.h"

namespace spate::sql::test_support {

inline data_type t_int() {
    return data_type::of(type_id::int64);
}
inline data_type t_ts() {
    return data_type::of(type_id::timestamp);
}

// bid (auction BIGINT, bidder BIGINT, price BIGINT, channel TEXT, date_time
// TIMESTAMP, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND).
inline relation_def bid_relation(const std::string& topic = "bid", bool watermark = true) {
    relation_def r;
    r.name = "bid";
    r.topic = topic;
    r.columns = {{"auction", t_int()},
                 {"bidder", t_int()},
                 {"price", t_int()},
                 {"channel", data_type::of(type_id::text)},
                 {"date_time", t_ts()}};
    if (watermark) {
        r.watermark_column = "date_time";
        r.watermark_sql = "date_time - INTERVAL '4' SECOND";
    }
    return r;
}

inline expr_ptr col(int i, data_type t, std::string name = {}) {
    return expr::make_column(i, t, name.empty() ? "#" + std::to_string(i) : std::move(name));
}

inline plan_ptr scan(const relation_def& r, std::vector<int> columns) {
    auto p = std::make_shared<plan_node>();
    p->kind = plan_kind::scan;
    p->relation = r;
    p->scan_columns = columns;
    size_t declared = r.columns.size();
    for (int c : columns) {
        if (static_cast<size_t>(c) < declared)
            p->schema.push_back(r.columns[static_cast<size_t>(c)]);
        else
            p->schema.push_back(hidden_columns()[static_cast<size_t>(c) - declared]);
    }
    return p;
}

inline plan_ptr project(plan_ptr in, std::vector<expr_ptr> exprs, std::vector<std::string> names) {
    auto p = std::make_shared<plan_node>();
    p->kind = plan_kind::project;
    for (size_t i = 0; i < exprs.size(); ++i)
        p->schema.push_back({names[i], exprs[i]->type});
    p->exprs = std::move(exprs);
    p->inputs = {std::move(in)};
    return p;
}

inline plan_ptr filter(plan_ptr in, expr_ptr predicate) {
    auto p = std::make_shared<plan_node>();
    p->kind = plan_kind::filter;
    p->schema = in->schema;
    p->predicate = std::move(predicate);
    p->inputs = {std::move(in)};
    return p;
}

inline plan_ptr window(plan_ptr in, window_kind k, int time_column, int64_t size_us,
                       int64_t slide_us = 0) {
    auto p = std::make_shared<plan_node>();
    p->kind = plan_kind::window;
    p->schema = in->schema;
    data_type t = in->schema[static_cast<size_t>(time_column)].type;
    p->schema.push_back({"window_start", t});
    p->schema.push_back({"window_end", t});
    p->window.kind = k;
    p->window.time_column = time_column;
    p->window.size_us = size_us;
    p->window.slide_us = slide_us;
    p->inputs = {std::move(in)};
    return p;
}

inline aggregate_call count_star() {
    aggregate_call c;
    c.name = "count";
    c.star = true;
    c.type = t_int();
    return c;
}

// sum(arg) [FILTER (WHERE filter)]: numeric over bigint, as PostgreSQL.
inline aggregate_call sum_of(expr_ptr arg, expr_ptr filter = nullptr) {
    aggregate_call c;
    c.name = "sum";
    data_type types[] = {arg->type};
    auto t = aggregate_result_type("sum", types, false);
    EXPECT_TRUE(t.ok());
    c.type = t.ok() ? t.value() : t_int();
    c.args = {std::move(arg)};
    c.filter = std::move(filter);
    return c;
}

inline plan_ptr aggregate(plan_ptr in, std::vector<expr_ptr> keys,
                          std::vector<aggregate_call> calls, std::vector<std::string> names,
                          int window_end_key = -1) {
    auto p = std::make_shared<plan_node>();
    p->kind = plan_kind::aggregate;
    size_t i = 0;
    for (const auto& k : keys)
        p->schema.push_back({names[i++], k->type});
    for (const auto& c : calls)
        p->schema.push_back({names[i++], c.type});
    p->group_keys = std::move(keys);
    p->aggregates = std::move(calls);
    p->window_end_key = window_end_key;
    p->inputs = {std::move(in)};
    return p;
}

// `lhs op rhs` over BIGINT operands (a resolved operator).
inline expr_ptr op(const std::string& name, expr_ptr lhs, expr_ptr rhs) {
    auto e = make_call(name, {std::move(lhs), std::move(rhs)});
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message);
    return e.ok() ? e.value() : nullptr;
}

inline expr_ptr int_const(int64_t v) {
    return expr::make_constant(value::int64(v));
}

}  // namespace spate::sql::test_support
