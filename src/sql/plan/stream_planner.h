#pragma once

// Turns an optimised logical plan into a continuous query's inputs.
//
// Stateless queries: one input per scan, each with the pipeline of
// stateless operators between the scan and the output (filter, project,
// TUMBLE/HOP/CUMULATE window assignment; UNION ALL concatenates its inputs'
// outputs).
//
// Aggregating queries: [filter/project]* -> aggregate -> [filter/project]*
// -> [window] -> [filter/project]* -> scan, split into sub-topology A (the
// input's pipeline up to the pre-aggregate chunk) and B (the aggregate
// operator, then HAVING and the SELECT list): stateful_spec.h. Anything else
// is feature_not_supported with the construct named.

#include <memory>
#include <vector>

#include "sql/exec/transform.h"
#include "sql/plan/logical_plan.h"
#include "sql/stream/continuous_query.h"

namespace spate::sql {

struct stream_plan {
    std::vector<input_spec> inputs;
    std::vector<column_def> output_columns;
    std::vector<std::string> relations;  // read, in input order
    // False when the output is a changelog (rows updated and deleted: an
    // aggregation without EMIT ON WINDOW CLOSE); an append sink refuses it.
    bool append_only = true;
    // Output columns identifying a row of an updating output (the group
    // keys it selects, in group key order); empty when not all of them are
    // selected.
    std::vector<int> unique_key;
    // Aggregating queries: the B side (inputs[0].processor yields its
    // pre-aggregate chunk). Null: stateless.
    std::shared_ptr<const aggregate_def> aggregate;
};

struct stream_options {
    bool emit_on_window_close = false;  // the statement's EMIT ON WINDOW CLOSE
};

sql_result<stream_plan> plan_stream(const plan_ptr& optimised, const stream_options& o = {});

namespace stream_planner_detail {

// Builds the stateful plan of an aggregating query (stream_planner_agg.cc).
sql_result<stream_plan> plan_aggregate(const plan_ptr& optimised, const stream_options& o);

// The input reading `scan`: topic, format, the declared columns it decodes
// (`extra_declared`: relation columns needed besides the scan's own, e.g.
// the watermark's), and `processor` over the decoded chunk. Returns the
// decoded declared columns (relation indexes, ascending) through `decoded`.
input_spec make_input(const plan_node& scan, const std::vector<int>& extra_declared,
                      std::vector<int>& decoded);
// The hidden columns `scan` reads, as a format.h mask
// (decoder_options::hidden_read).
uint32_t hidden_read(const plan_node& scan);

// The transform of a filter, project or window (TUMBLE/HOP/CUMULATE) node.
sql_result<transform_ptr> node_transform(const plan_node& n);

}  // namespace stream_planner_detail

}  // namespace spate::sql
