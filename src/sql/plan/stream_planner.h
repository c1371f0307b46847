#pragma once

// Turns an optimised logical plan into a continuous query's inputs: one
// input per scan, each with the pipeline of stateless operators between the
// scan and the output (UNION ALL concatenates its inputs' outputs). Part 1
// supports scan, filter, project and UNION ALL; anything else is
// feature_not_supported with the operator named.

#include <vector>

#include "sql/plan/logical_plan.h"
#include "sql/stream/continuous_query.h"

namespace spate::sql {

struct stream_plan {
    std::vector<input_spec> inputs;
    std::vector<column_def> output_columns;
    std::vector<std::string> relations;  // read, in input order
};

sql_result<stream_plan> plan_stream(const plan_ptr& optimised);

}  // namespace spate::sql
