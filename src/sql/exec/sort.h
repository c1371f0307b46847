#pragma once

// ORDER BY for batch plans: materialises its input, sorts row indexes by
// the keys (PostgreSQL's NULL ordering, C collation for text), then emits
// chunks of the sorted rows.

#include <vector>

#include "sql/exec/batch.h"
#include "sql/plan/logical_plan.h"

namespace spate::sql {

sql_result<batch_ptr> make_sort(batch_ptr input, std::vector<sort_key> keys, const batch_env& env);

// -1, 0, 1 comparing non-null rows a of x and b of y (same type).
int compare_values(const column& x, size_t a, const column& y, size_t b);

}  // namespace spate::sql
