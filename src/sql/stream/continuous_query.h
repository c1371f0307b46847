#pragma once

// Runs one continuous query: reads its input topics through a Kafka consumer
// group, decodes records into chunks, pushes them through the query's
// processor and writes the output rows to the output topic, exactly once.
//
// Model (Kafka Streams-like): the query is one consumer group
// (`group_id`); its tasks are its input partitions. Each commit interval
// (`commit_interval_ms`) the output records, the dead-letter records and the
// input offsets commit in one Kafka transaction (read_committed input), so a
// kill -9 at any moment neither loses nor duplicates output for a
// read_committed reader. With `exactly_once = false` the producer is
// idempotent, output is flushed, then offsets are committed (at least once).
//
// A record that does not decode goes to its input's dead-letter topic (value
// = the original bytes, key kept, header `spate.error` = the reason,
// `spate.topic`/`spate.partition`/`spate.offset` = where it came from) and
// never reaches the processor. A processor error on a chunk (e.g. division by
// zero) is logged and counted; the chunk's rows are dropped (TODO part 2:
// per-row error routing).
//
// Threading: one thread per running query, owned by the object; stop() joins
// it. stats() may be read from any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka/client/config.h"
#include "sql/expr/functions.h"
#include "sql/format/format.h"
#include "sql/stream/stateful_spec.h"
#include "sql/types/column.h"
#include "sql/types/error.h"

namespace spate::sql {

// A query's per-input stateless dataflow: decoded source chunk (format.h
// layout) in, output chunk (the query's output columns) out. Called on the
// query's thread only.
class chunk_processor {
  public:
    virtual ~chunk_processor() = default;
    virtual sql_result<chunk> process(chunk input, const eval_context& ctx) = 0;
};

struct input_spec {
    std::string topic;
    record_format format = record_format::json;
    std::vector<column_def> columns;  // declared columns (hidden ones are added)
    decoder_options decoding;
    // With no committed offset: earliest or latest. The query is one
    // consumer with one reset policy: if any input starts earliest, all do.
    bool start_earliest = true;
    std::string dead_letter_topic;
    // Whether the processor reads the hidden _headers column; without it
    // the records' headers are not materialized (the column stays NULL).
    bool read_headers = true;
    std::shared_ptr<chunk_processor> processor;
    // Stateful queries: rows late against their partition's watermark go
    // to query_spec::late_topic and never reach the processor.
    event_time_def event_time;
    // An updating relation (an upsert changelog: the record key names the
    // row, a null value deletes it). Stateful queries only: sub-topology A
    // normalises it into retractions and insertions (upsert_normaliser.h).
    bool upsert = false;
};

// How output rows with their diffs become records (docs/sql.md, "Sinks"):
// append: every row a record (an append-only query's output); upsert: key =
// the key columns as a JSON object, an insert the row, a delete a null value
// (tombstone); debezium: key as upsert, value {"before", "after", "op"}.
enum class sink_type { append, upsert, debezium };

struct query_spec {
    std::string name;  // for logs
    std::string group_id;
    std::string transactional_id;  // exactly_once only; stable across restarts
    // Static group membership (KIP-345): a restarted server rejoins as the
    // same member and takes its partitions back at once instead of waiting
    // for the killed member's session to expire. Empty: dynamic membership.
    std::string group_instance_id;
    std::vector<input_spec> inputs;
    std::string output_topic;
    record_format output_format = record_format::json;
    std::vector<column_def> output_columns;
    // Registry formats: writer schemas for the inputs' decoders, and the
    // schema the output is encoded with.
    std::shared_ptr<schema_lookup> schemas;
    std::shared_ptr<const registered_schema> output_schema;
    // Output record key: the value of these output columns JSON-encoded
    // (empty: null key). Upsert and debezium outputs: the primary key.
    std::vector<int> key_columns;
    sink_type output_type = sink_type::append;
    bool exactly_once = true;
    // Under a backlog (every poll since the last commit filled its batch)
    // up to 10x this, at most 1000 ms (query_loop.cc).
    int commit_interval_ms = 100;
    kafka::client::client_config client;

    // Stateful queries (`aggregate` set; one input): the input's processor
    // yields the pre-aggregate chunk (stateful_spec.h). Internal topics are
    // `__spate_q_<query_id>_repartition` and `__spate_q_<query_id>_state`
    // (compacted), created with the input's partition count; the tasks'
    // RocksDB lives under `state_dir`; late rows go to `late_topic`
    // (created when missing).
    std::shared_ptr<const aggregate_def> aggregate;
    std::string query_id;
    std::string state_dir;
    std::string late_topic;
};

// The internal topics of a stateful query.
std::string repartition_topic(const std::string& query_id);
std::string changelog_topic(const std::string& query_id);
// Queries over an updating relation (input_spec::upsert): the compacted
// changelog of the upsert normaliser's state, `__spate_q_<query_id>_input_state`.
std::string input_changelog_topic(const std::string& query_id);

// After a stateful query is dropped (and stopped): deletes its repartition
// and changelog topics and this server's state directory. The late-row
// topic stays (rows the user may want). Failures are logged; the drop
// stands.
void discard_query_state(const query_spec& spec);

struct query_stats {
    std::atomic<int64_t> records_in{0};
    std::atomic<int64_t> rows_out{0};
    std::atomic<int64_t> dead_letters{0};
    std::atomic<int64_t> processor_errors{0};
    std::atomic<int64_t> commits{0};
    std::atomic<int64_t> aborts{0};
    // Where the query's thread spends its time (microseconds): waiting for
    // records, decoding/processing/encoding/producing them, committing.
    std::atomic<int64_t> poll_us{0};
    std::atomic<int64_t> route_us{0};
    std::atomic<int64_t> commit_us{0};
    // Stateful queries.
    std::atomic<int64_t> late_rows{0};            // left at the source (to the late topic)
    std::atomic<int64_t> repartition_rows{0};     // written by sub-topology A
    std::atomic<int64_t> aggregate_rows_in{0};    // rows the aggregate applied
    std::atomic<int64_t> aggregate_rows_out{0};   // changes it emitted (+1 and -1 rows)
    std::atomic<int64_t> aggregate_late_rows{0};  // dropped at the aggregate: window closed
    // This server's aggregate tasks at the last commit: keys and bytes in
    // their task state; the groups they hold in memory (bytes; estimates).
    std::atomic<int64_t> state_keys{0};
    std::atomic<int64_t> state_bytes{0};
    std::atomic<int64_t> memory_bytes{0};
    // Over an updating view: rows the normaliser passed on (retractions and
    // insertions), its state on this server (keys, bytes; estimates).
    std::atomic<int64_t> normalised_rows{0};
    std::atomic<int64_t> input_state_keys{0};
    std::atomic<int64_t> input_state_bytes{0};
    std::atomic<int64_t> source_watermark_us{std::numeric_limits<int64_t>::min()};
    std::atomic<int64_t> aggregate_watermark_us{std::numeric_limits<int64_t>::min()};
};

// One operator of a running query, for EXPLAIN ANALYZE (a snapshot; the
// figures of this server's tasks only).
struct operator_stats {
    std::string name;  // e.g. "Source bid", "Repartition", "HashAggregate [count]", "Sink"
    int64_t rows_in = 0;
    int64_t rows_out = 0;
    int64_t state_keys = -1;  // -1: stateless
    int64_t state_bytes = -1;
    int64_t watermark_us = std::numeric_limits<int64_t>::min();  // min(): none yet / no event time
    int64_t lag = -1;  // input records not yet read (sources), -1 unknown
    int64_t late_rows = 0;
    int64_t memory_bytes = -1;  // operator memory besides its state, -1 unknown
};

class continuous_query {
  public:
    // Validates the spec (topics exist; output topic created if missing with
    // the input's partition count) and starts the query's thread.
    static sql_result<std::unique_ptr<continuous_query>> start(query_spec spec);
    ~continuous_query();  // stops

    // Stops reading, aborts the open transaction (its input is re-read by
    // whoever takes the partitions; at least once: commits what was
    // written instead), leaves the group, joins the thread.
    void stop();
    const query_stats& stats() const;
    // Per operator, in dataflow order (any thread).
    std::vector<operator_stats> operators() const;
    const query_spec& spec() const;
    // Empty while healthy; the last fatal error otherwise (the query keeps
    // retrying with backoff).
    std::string last_error() const;

    struct impl;

  private:
    explicit continuous_query(std::unique_ptr<impl> p);
    std::unique_ptr<impl> _impl;
};

}  // namespace spate::sql
