#pragma once

// Batch operators over materialised rows: in-memory relations (system
// tables), nested-loop joins and subquery application (correlated
// subqueries run once per outer row with the row's values substituted for
// its outer references). Meant for small inputs: a join holds its right
// input in memory and pairs each left row with every right row.

#include "sql/exec/batch.h"
#include "sql/plan/logical_plan.h"

namespace spate::sql {

// The rows of a plan_kind::memory node.
batch_ptr make_memory_scan(const plan_node& memory);

// plan_kind::join over `left` and `right` (plan `join` gives type and predicate).
batch_ptr make_nested_loop_join(batch_ptr left, batch_ptr right, const plan_node& join,
                                const batch_env& env);

// plan_kind::apply over `input`.
batch_ptr make_apply(batch_ptr input, const plan_node& apply, const batch_env& env);

// plan_kind::distinct over `input` (rows compared by value, NULLs equal).
batch_ptr make_distinct(batch_ptr input, const plan_node& distinct);
// plan_kind::function: its arguments evaluated once when first pulled.
batch_ptr make_table_function(const plan_node& f, const batch_env& env);
// plan_kind::aggregate over `input` (hash_aggregate.cc): a hash aggregate holding every group
// in memory until the input ends.
batch_ptr make_aggregate(batch_ptr input, const plan_node& aggregate, const batch_env& env);

// `p` with outer-reference parameters (k_outer_parameter_base and up) of
// `values` (index -> value) replaced by constants, in every expression of
// the tree including nested subqueries.
plan_ptr bind_outer_references(const plan_ptr& p, const std::vector<std::pair<int, value>>& values);

}  // namespace spate::sql
