#pragma once

// Key lookups on an updating view's replica: the ranges of encoded keys
// (serving/key_codec.h) that can hold rows satisfying a filter directly
// above a scan of the view.
//
// Recognised conjuncts (anywhere in a top-level AND, either operand order):
// `k = c`, `k IN (c1, ...)`, `k < c`, `k <= c`, `k > c`, `k >= c` (also
// BETWEEN), where k is a column of the view's key and c an expression of k's
// type that reads no column ($n parameters and constants). Equalities on the
// leading key columns make a prefix (IN lists one prefix per value), bounds
// on the next key column narrow it. Anything else is left to the filter,
// which still runs over the rows read: the ranges are a superset.

#include <string>
#include <vector>

#include "sql/expr/expr.h"
#include "sql/plan/logical_plan.h"
#include "sql/serving/replica_store.h"

namespace spate::sql {

struct key_lookup {
    // Disjoint, in key order; one range with empty bounds: a full scan;
    // none: no row can match (e.g. `k = NULL`).
    std::vector<key_range> ranges;
    size_t prefix_columns = 0;  // leading key columns fixed by equalities
    bool bounded_next = false;  // a bound narrows the next key column
};

// The lookup `predicate` (over `scan`'s output columns) implies for the
// scan's relation (relation.upsert_key non-empty). Errors: evaluating a
// bound (e.g. an invalid cast of a parameter).
sql_result<key_lookup> plan_key_lookup(const expr& predicate, const plan_node& scan,
                                       const eval_context& ctx);

}  // namespace spate::sql
