#pragma once

// Vectorised evaluation of bound expressions over a chunk.

#include "sql/expr/expr.h"
#include "sql/expr/functions.h"
#include "sql/types/column.h"
#include "sql/types/error.h"

namespace spate::sql {

// `e` over every row of `input`; the result has input.rows() rows and type
// e.type. Errors are the first row error (division_by_zero, invalid input
// of a cast, ...).
sql_result<column> evaluate(const expr& e, const chunk& input, const eval_context& ctx);

// A boolean predicate over `input` as a keep-mask (1 only where TRUE).
sql_result<std::vector<uint8_t>> evaluate_predicate(const expr& e, const chunk& input,
                                                    const eval_context& ctx);

// Folds a constant expression to its value (is_constant(e) must hold).
sql_result<value> evaluate_constant(const expr& e, const eval_context& ctx);

}  // namespace spate::sql
