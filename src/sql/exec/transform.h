#pragma once

// Stateless chunk transforms: the operators continuous queries of part 1
// are made of, also used by batch plans. A transform maps one chunk to one
// chunk, never keeps rows between calls, and is used by one thread at a time.

#include <memory>
#include <vector>

#include "sql/expr/eval.h"
#include "sql/format/format.h"
#include "sql/plan/logical_plan.h"
#include "sql/stream/continuous_query.h"

namespace spate::sql {

class transform {
  public:
    virtual ~transform() = default;
    virtual sql_result<chunk> apply(chunk input, const eval_context& ctx) = 0;
};
using transform_ptr = std::unique_ptr<transform>;

// Keeps rows where `predicate` is TRUE.
transform_ptr make_filter(expr_ptr predicate);
// Computes `exprs` over the input.
transform_ptr make_project(std::vector<expr_ptr> exprs);
// Picks a scan's columns out of a decoded source chunk (format.h layout of
// `decoded_columns` declared columns then the hidden ones).
transform_ptr make_scan_select(const plan_node& scan, const std::vector<int>& decoded_declared);

// TUMBLE, HOP or CUMULATE (`window`, a plan_kind::window node): each input
// row once per window containing its time (window.h: windows_of), in the
// order of the input rows, then of the windows; window_start and window_end
// appended (the time column's type). Rows of no window (NULL or infinite
// time) are dropped. SESSION needs other rows: make_session_window (batch)
// or the streaming runtime's state.
transform_ptr make_window_assign(const plan_node& window);

// The declared columns a scan must decode: every one for csv (positional),
// the ones it reads otherwise (json matches by name), in declaration order.
std::vector<int> decoded_declared_columns(const plan_node& scan);

// A chunk_processor running `transforms` in order (continuous queries).
std::shared_ptr<chunk_processor> make_pipeline(std::vector<transform_ptr> transforms);

}  // namespace spate::sql
