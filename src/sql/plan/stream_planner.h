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
    // False when the output is a changelog (rows updated and deleted: an
    // aggregation without EMIT ON WINDOW CLOSE); an append sink refuses it.
    bool append_only = true;
    // Output columns identifying a row of an updating output (the group
    // keys it selects); empty when not all of them are selected.
    std::vector<int> unique_key;
};

sql_result<stream_plan> plan_stream(const plan_ptr& optimised);

}  // namespace spate::sql
