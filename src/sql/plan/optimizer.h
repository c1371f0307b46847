#pragma once

// Rule-based rewrites of logical plans, applied in order until none fires:
//  - filter pushdown: a filter moves below a projection (its column
//    references replaced by the projected expressions) and into each input
//    of a UNION ALL, so it runs right above the scan; below a window table
//    function go the conjuncts reading only its input columns (not
//    window_start/window_end) and nothing volatile, for SESSION only its
//    session keys;
//  - projection pushdown: a scan decodes only the columns its consumers
//    read (the JSON decoder then skips the other fields), through
//    projections, filters and windows (which keep their time column and
//    session keys);
//  - adjacent filters merge into one conjunction.
// Constant folding happens at bind time (binder.h).

#include "sql/plan/logical_plan.h"

namespace spate::sql {

plan_ptr optimize(plan_ptr root);

}  // namespace spate::sql
