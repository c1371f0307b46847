#pragma once

// Internal to continuous_query: turns one polled batch of input messages into
// output and dead-letter records. Per (topic, partition) run of the batch:
// decode (views into the messages, no payload copies) -> failures become
// dead-letter records -> the gate (stateful queries: late rows leave) ->
// processor -> output. The default output is the query's change_encoder
// (all rows +1; change_encoder.h says where records go). Stateful queries
// pass their own output (the repartition writer).
//
// Threading: used by the query's thread only. Errors: a sink failure stops
// the batch and is returned (the caller aborts the transaction); decode and
// processor failures are not errors of the batch (dead letters, counters).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"
#include "sql/stream/change_encoder.h"
#include "sql/stream/continuous_query.h"
#include "sql/types/column_pool.h"

namespace spate::sql::detail {

using record_sink = std::function<status(const kafka::client::outgoing_record&)>;

// Where a run's processed rows go (the processor's output chunk, their
// diffs: empty = all +1, the input partition they came from).
using chunk_output = std::function<status(const chunk& rows, std::span<const int8_t> diffs,
                                          int32_t input_partition, const record_sink& sink)>;
// Sees a run's decoded rows before the processor and may drop some (and
// write records about them): `row_message[i]` is the run index of row i's
// message. An error stops the batch.
using run_gate = std::function<status(
    size_t input, std::span<const kafka::client::message* const> run,
    std::span<const uint32_t> row_message, chunk& rows, const record_sink& sink)>;
// Upsert inputs (input_spec::upsert) of stateful queries: turns a run (one
// source partition's records, in offset order) into the rows to retract
// (views valid until the next call) and the run indexes of the records to
// insert (upsert_normaliser.h). An error stops the batch.
using run_normaliser =
    std::function<status(int32_t partition, std::span<const record_view> run,
                         std::vector<record_view>& retract, std::vector<uint32_t>& insert)>;

class record_router {
  public:
    // Builds decoders and encoders for `spec` (which must outlive the
    // router); `output_partitions` >= 1. With `output` set, the processors
    // yield `processed` columns and `output` takes them (no encoder is
    // built); otherwise they yield the query's output columns.
    static sql_result<std::unique_ptr<record_router>> create(
        const query_spec& spec, int32_t output_partitions, query_stats& stats,
        chunk_output output = {}, std::vector<column_def> processed = {}, run_gate gate = {},
        run_normaliser normaliser = {});

    // Routes `batch` (any topics and partitions of the query's inputs, in
    // poll order) to `sink`; `now_micros` is the processors' statement time.
    status route(std::span<const kafka::client::message> batch, int64_t now_micros,
                 const record_sink& sink);
    status route(std::span<const kafka::client::message* const> batch, int64_t now_micros,
                 const record_sink& sink);

  private:
    record_router(const query_spec& spec, int32_t output_partitions, query_stats& stats);
    status route_run(size_t input, std::span<const kafka::client::message* const> run,
                     int64_t now_micros, const record_sink& sink);
    // An empty source chunk of `input` (format.h layout) from the pool's
    // spare columns, reserved for `rows` rows and, per string column, the
    // bytes per row of that column in the input's previous run.
    chunk take_source(size_t input, size_t rows);
    // The indexes of a run's `records` that decoded (those not in `failures`,
    // which is ordered by index).
    static std::vector<uint32_t> decoded_messages(size_t records,
                                                  const std::vector<decode_failure>& failures);
    // Remembers `source`'s string bytes per row for the next take_source.
    void note_source(size_t input, const chunk& source);
    status dead_letter(size_t input, const kafka::client::message& m, const std::string& reason,
                       const record_sink& sink);
    // The processor's output has the output columns' count and types (the
    // encoders rely on it).
    sql_status check_shape(const chunk& out) const;
    status emit(const chunk& out, int32_t input_partition, const record_sink& sink);
    // An upsert input's run: retractions, then insertions
    // (record_router_upsert.cc).
    status route_changes(size_t input, std::span<const kafka::client::message* const> run,
                         std::span<const record_view> views, int64_t now_micros,
                         const record_sink& sink);
    // Processes `source` and outputs the rows, each with `diff`; the output
    // chunk's columns go back to the pool.
    status process_rows(size_t input, chunk source, int32_t partition, int8_t diff,
                        int64_t now_micros, const record_sink& sink);

    const query_spec& _spec;
    int32_t _output_partitions;
    query_stats& _stats;
    chunk_output _output;
    std::vector<column_def> _processed;  // the processors' output columns
    run_gate _gate;
    std::map<std::string, size_t, std::less<>> _input_of_topic;
    std::vector<std::unique_ptr<record_decoder>> _decoders;
    std::vector<std::vector<column_def>> _declared;
    // The default output: rows -> records (append, upsert, debezium).
    std::unique_ptr<change_encoder> _changes;
    // route_run's per-run buffers, reused across runs.
    std::vector<std::vector<kafka::client::header>> _owned_headers;
    std::vector<std::vector<record_header>> _header_views;
    std::vector<record_view> _views;
    // Columns of finished runs (their output, the columns the processor
    // dropped) for the next runs' source chunks: a steady-state run
    // allocates no column buffers. Per input and source column: the previous
    // run's string bytes per row (0 for fixed-width columns).
    column_pool _pool{32};
    std::vector<std::vector<size_t>> _bytes_per_row;
    // Per input: the source chunk's column types (source_column_types).
    std::vector<std::vector<data_type>> _source_types;
    // Upsert inputs: the normaliser and route_changes' buffers.
    run_normaliser _normalise;
    std::vector<record_view> _retract, _insert_views;
    std::vector<uint32_t> _insert, _insert_message;
    std::vector<int8_t> _minus;
};

}  // namespace spate::sql::detail
