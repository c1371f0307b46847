#pragma once

// Encodes a query's output rows, each with its diff, into Kafka records for
// the output topic, per the query's sink_type (continuous_query.h):
// - append: one record per row (diff +1); a -1 row is an internal error
//   (the planner refuses append sinks over updating queries).
// - upsert: key = the key columns as a JSON object; +1 -> the row encoded
//   in the output format; -1 -> a null value (tombstone), except that a -1
//   directly followed in the same call by a +1 of the same key (an update)
//   writes only the new row.
// - debezium: key as upsert; value {"before": row|null, "after": row|null,
//   "op": "c"|"u"|"d"} (an update pairs the -1 and +1 of one key).
// Partitioning: keyed records by the key's hash (the default partitioner's
// murmur2 of the key bytes, as Kafka clients do, so a compacted topic keeps
// one partition per key); keyless ones go to input partition modulo the
// output's partition count.
//
// Threading: one query thread. Errors: the sink's (returned as is).

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "base/result.h"
#include "kafka/client/producer.h"
#include "sql/stream/continuous_query.h"
#include "sql/types/column.h"

namespace spate::sql {

using output_sink = std::function<status(const kafka::client::outgoing_record&)>;

class change_encoder {
  public:
    // `spec` must outlive the encoder; output_partitions >= 1.
    static sql_result<std::unique_ptr<change_encoder>> create(const query_spec& spec,
                                                              int32_t output_partitions);
    virtual ~change_encoder() = default;

    // `rows` has the query's output columns; `diffs` one +1/-1 per row
    // (empty: all +1). Returns the records written.
    virtual result<int64_t> encode(const chunk& rows, std::span<const int8_t> diffs,
                                   int32_t input_partition, const output_sink& sink) = 0;
};

}  // namespace spate::sql
