#pragma once

// Internal to the binder: the FROM clause and subqueries of a query block
// (bind_from.cc, bind_subquery.cc).

#include <memory>
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
