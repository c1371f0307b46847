#pragma once

// EXPLAIN ANALYZE of a running view or sink (docs/sql.md, "EXPLAIN
// ANALYZE"): one row per operator of its query on this server, in dataflow
// order. Unknown figures (a stateless operator's state, a watermark not yet
// seen, an unknown lag) are NULL.

#include <vector>

#include "sql/format/format.h"
#include "sql/stream/continuous_query.h"

namespace spate::sql {

// operator TEXT, rows_in BIGINT, rows_out BIGINT, state_keys BIGINT,
// state_bytes BIGINT, watermark TIMESTAMPTZ, lag BIGINT, late_rows BIGINT,
// memory_bytes BIGINT
const std::vector<column_def>& explain_analyze_columns();
chunk explain_analyze_rows(const std::vector<operator_stats>& ops);

}  // namespace spate::sql
