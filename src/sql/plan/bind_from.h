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

// Collects the aggregate calls of a query block while installed (RAII like
// subquery_collector): call k binds to the placeholder column `base + k`,
// `base` being the width of the block's input, until bind_grouping replaces
// the placeholders. Equal calls share one placeholder. Errors of a call:
// undefined_function (argument types), grouping_error (nested aggregates,
// aggregates in FILTER), feature_not_supported (ORDER BY or WITHIN GROUP in
// the call).
class aggregate_collector {
  public:
    aggregate_collector(const bind_scope& scope, size_t base, bind_context& ctx);
    ~aggregate_collector();
    aggregate_collector(const aggregate_collector&) = delete;
    aggregate_collector& operator=(const aggregate_collector&) = delete;

    bool empty() const { return _calls.empty(); }
    size_t base() const { return _base; }
    std::vector<aggregate_call>& calls() { return _calls; }

  private:
    sql_result<expr_ptr> bind_call(const nlohmann::json& node);
    sql_status bind_arguments(const nlohmann::json& node, aggregate_call& call);

    const bind_scope& _scope;
    size_t _base;
    bind_context& _ctx;
    std::vector<aggregate_call> _calls;
    std::function<sql_result<expr_ptr>(const nlohmann::json&)> _saved;
};

// While installed, an aggregate call is the grouping_error "aggregate
// functions are not allowed in <clause>" (RAII; restores the previous hook).
class aggregate_ban {
  public:
    aggregate_ban(bind_context& ctx, std::string clause);
    ~aggregate_ban();
    aggregate_ban(const aggregate_ban&) = delete;
    aggregate_ban& operator=(const aggregate_ban&) = delete;

  private:
    bind_context& _ctx;
    std::function<sql_result<expr_ptr>(const nlohmann::json&)> _saved;
};

// A query block's expressions bound over its input, aggregate calls as
// placeholders (aggregate_collector): the select list then ORDER BY
// expressions (`exprs`, each bound from `sources[i]`; the first
// `names.size()` are the select list) and HAVING (null: none).
struct grouped_select {
    std::vector<expr_ptr>& exprs;
    const std::vector<std::string>& names;
    const std::vector<const nlohmann::json*>& sources;
    expr_ptr having;
};

// The grouping of a query block (bind_grouping.cc): binds `stmt`'s GROUP BY
// over `scope` (an integer is a select-list ordinal; a bare name that is no
// input column names a select-list column), builds the aggregate node over
// `input` with the collected calls (windowed grouping: bind_window_keys.h)
// and a filter for HAVING over it, and rewrites `block.exprs` over the
// node's output: a subexpression equal to a group key becomes the key's
// column, a placeholder its call's column. Errors: grouping_error for an
// input column outside aggregates and keys ("column \"t.x\" must appear in
// the GROUP BY clause or be used in an aggregate function", positioned at
// the reference) and for aggregates in GROUP BY; feature_not_supported for
// ROLLUP, CUBE, GROUPING SETS and subqueries in GROUP BY.
sql_result<plan_ptr> bind_grouping(const nlohmann::json& stmt, const bind_scope& scope,
                                   bind_context& ctx, plan_ptr input,
                                   aggregate_collector& aggregates, grouped_select& block);

}  // namespace spate::sql
