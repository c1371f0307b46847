#pragma once

// Internal to the binder: the FROM clause and subqueries of a query block
// (bind_from.cc, bind_subquery.cc).

#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sql/plan/binder.h"

namespace spate::sql {

plan_ptr make_plan_node(plan_kind k, std::vector<column_def> schema, std::vector<plan_ptr> inputs);

// The FROM clause of `stmt` (a SelectStmt body): relations, system tables,
// subqueries in FROM, comma, INNER, LEFT and CROSS joins. `scope` receives
// the plan's columns qualified by their FROM item's alias or name. No FROM:
// one row of no columns.
sql_result<plan_ptr> bind_from_clause(const nlohmann::json& stmt, bind_context& ctx,
                                      bind_scope& scope);

// One FROM item: RangeVar, RangeSubselect, RangeFunction or JoinExpr.
sql_result<plan_ptr> bind_from_item(const nlohmann::json& item, bind_context& ctx,
                                    bind_scope& scope);

// Window table functions in FROM (bind_window.cc): TUMBLE(relation, time,
// size [, offset]), HOP(relation, time, slide, size [, offset]),
// CUMULATE(relation, time, step, size), SESSION(relation, time, gap).
// `name` as the parser spells it (lower case unless quoted).
bool is_window_function(std::string_view name);
// A RangeFunction calling one of them: a plan_kind::window node over the
// relation (a source or view name, or a subquery), whose scope is the
// relation's columns (hidden ones stay hidden) then window_start and
// window_end, all qualified by the alias, else by the relation's name.
// Errors (at the argument): the time not a timestamp/timestamptz, sizes not
// positive constant intervals, intervals with months, a HOP size not a
// multiple of its slide (or above 10000 slides), a CUMULATE size not a
// multiple of its step (or above 10000 steps).
sql_result<plan_ptr> bind_window_function(const nlohmann::json& range_function, bind_context& ctx,
                                          bind_scope& scope);

// For the aggregate binder: makes the GROUP BY keys `group_keys` (over the
// output of `from`, the block's FROM plan before WHERE) that are columns of
// a SESSION window's relation the window's session_keys, so that sessions
// form per group. No SESSION window under `from`: nothing. Keys on
// window_start/window_end or other FROM items are skipped. Error
// (feature_not_supported, no position: the caller sets it): a key that is
// an expression over the window's relation's columns.
sql_status set_session_keys(const plan_ptr& from, const std::vector<expr_ptr>& group_keys);

// Collects the subqueries of the expressions of one query block while it is
// installed (RAII: installs the context's sublink hook, restores the previous
// one on destruction). A subquery binds to column `base + k` of the block's
// apply node over the block's input, whose first columns are `scope`.
class subquery_collector {
  public:
    subquery_collector(const bind_scope& scope, size_t base, bind_context& ctx);
    ~subquery_collector();
    subquery_collector(const subquery_collector&) = delete;
    subquery_collector& operator=(const subquery_collector&) = delete;

    // `input` unchanged when no subquery was bound, else an apply node over it.
    plan_ptr apply_over(plan_ptr input);

  private:
    sql_result<expr_ptr> bind_sublink(const nlohmann::json& node);
    sql_result<plan_ptr> compare_each_row(const nlohmann::json& sublink, plan_ptr subquery);

    const bind_scope& _scope;
    size_t _base;
    bind_context& _ctx;
    std::vector<subquery_def> _defs;
    std::vector<column_def> _columns;
    std::function<sql_result<expr_ptr>(const nlohmann::json&)> _saved;
};

// Collects the aggregate calls of an ungrouped query block while installed
// (RAII like subquery_collector): aggregate k binds to column `base + k` of
// the block's aggregate node, whose first `base` columns are NULL.
class aggregate_collector {
  public:
    aggregate_collector(const bind_scope& scope, size_t base, bind_context& ctx);
    ~aggregate_collector();
    aggregate_collector(const aggregate_collector&) = delete;
    aggregate_collector& operator=(const aggregate_collector&) = delete;

    bool empty() const { return _calls.empty(); }
    // `input` unchanged without aggregates, else the aggregate node over it.
    plan_ptr aggregate_over(plan_ptr input);

  private:
    sql_result<expr_ptr> bind_call(const nlohmann::json& node);

    const bind_scope& _scope;
    size_t _base;
    bind_context& _ctx;
    std::vector<aggregate_call> _calls;
    std::function<sql_result<expr_ptr>(const nlohmann::json&)> _saved;
};

}  // namespace spate::sql
