#pragma once

// Windowed grouping (internal to the binder; bind_window_keys.cc).

#include "sql/plan/logical_plan.h"
#include "sql/types/error.h"

namespace spate::sql {

// For an aggregate node (group keys over input 0 set, schema not yet) whose
// input reaches a window node through filter and project nodes (a project
// column that is a plain column reference maps through):
// - a group key that is such a reference to the window's window_end sets
//   `window_end_key` to its index;
// - grouping by its window_start but not its window_end appends window_end
//   as a group key (and as a column to the projects on the way, whose
//   schemas grow) and sets `window_end_key` to it;
// - under a SESSION window, `window.session_keys` becomes the window input
//   columns the other group keys reference.
// Nothing changes without a window node. Errors: feature_not_supported for
// a SESSION window grouped by anything but plain columns of its input.
sql_status bind_window_keys(plan_node& aggregate);

}  // namespace spate::sql
