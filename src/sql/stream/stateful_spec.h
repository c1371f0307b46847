#pragma once

// What the streaming planner hands the runtime for a stateful (aggregating)
// continuous query, besides the inputs' stateless pipelines
// (docs/sql.md, "Streaming aggregation and emit modes").
//
// Topology: sub-topology A runs per source partition: decode -> late rows
// out (event time) -> the input's processor, whose output is the
// "pre-aggregate" chunk: the group keys, then every call's arguments, then
// the calls' FILTER columns (then, for SESSION windows, the event time) ->
// repartition by group key. Sub-topology B runs per repartition partition:
// the aggregate operator -> `post` (HAVING, the final projection) -> output.

#include <cstdint>
#include <memory>
#include <vector>

#include "sql/expr/expr.h"
#include "sql/format/format.h"
#include "sql/plan/logical_plan.h"

namespace spate::sql {

class chunk_processor;

// Event time of one input (a source with WATERMARK FOR, or windows over the
// hidden `_proctime` column). Expressions are over the input's decoded
// source chunk (format.h layout of the input's declared columns).
struct event_time_def {
    expr_ptr time;       // the WATERMARK FOR column: a row's event time
    expr_ptr watermark;  // the WATERMARK expression (e.g. time - 4 s)
    // Windows over _proctime: the watermark is the wall clock at each
    // commit and no row is late; `time`/`watermark` are unset.
    bool processing_time = false;
    // A partition without records for this long is idle: it does not hold
    // the query's watermark back (0: never idle).
    int64_t idle_timeout_ms = 0;

    bool enabled() const { return processing_time || time != nullptr; }
};

// SESSION windows, done by the aggregate operator (not in sub-topology A).
struct session_def {
    int64_t gap_us = 0;
    int start_key = -1;    // index in the group keys of window_start
    int end_key = -1;      // index in the group keys of window_end
    int time_column = -1;  // pre-aggregate column of the row's event time
};

struct aggregate_def {
    // The group keys: pre-aggregate columns [0, key_types.size()).
    std::vector<data_type> key_types;
    std::vector<aggregate_call> calls;
    // Per call: its argument columns in the pre-aggregate chunk, and its
    // FILTER column (boolean) or -1.
    std::vector<std::vector<int>> call_args;
    std::vector<int> call_filters;
    std::vector<column_def> pre_columns;  // the pre-aggregate chunk's layout
    // Whether rows may come with diff -1 (an updating input); false lets
    // min/max keep only the extreme (grouped_aggregate).
    bool input_retracts = false;
    // Windowed aggregations: the group key holding window_end (its groups
    // close when the watermark reaches it), else -1.
    int window_end_key = -1;
    bool has_session = false;
    session_def session;
    // Windows close with the watermark (event or processing time); false:
    // they never close (the window time column is not the watermark's).
    bool windows_close = false;
    // EMIT ON WINDOW CLOSE: each closed window's rows once (+1), final.
    bool emit_on_window_close = false;
    // Over the aggregate's output (keys then call results) plus a trailing
    // BIGINT row id, to the query's output columns plus that row id (kept
    // through every filter and projection): HAVING and the SELECT list.
    std::shared_ptr<chunk_processor> post;
    // The output columns holding the group keys, one per key (the plan's
    // unique_key); empty when not all of them are selected.
    std::vector<int> output_key;
    // `post` filters rows (HAVING).
    bool post_filters = false;
};

}  // namespace spate::sql
