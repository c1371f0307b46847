#pragma once

// Sub-topology A of a stateful query over an updating relation (an upsert
// changelog: the record key identifies a row, a record with a value inserts
// or replaces that row, a null value deletes it; e.g. an updating view's
// topic). The normaliser turns such records into diffs the aggregate can
// apply (docs/sql.md, "Aggregating an updating relation"): per record key it
// keeps the row it last passed on, in the task state of its source
// partition, and for each change emits the retraction (-1) of that row,
// then the new row (+1).
//
// Within one run (a source partition's records in offset order) the changes
// of one key collapse: at most one retraction (the row before the run) and
// one insertion (the key's last row in the run, unless it is a delete).
// Every retraction of a run precedes every insertion, which is correct
// because a retraction only ever names a row of an earlier run.
//
// A record without a key is an insertion that can never be retracted; a
// delete of a key never seen retracts nothing. Values are kept as the
// record's bytes (with its offset and timestamp, so hidden columns retract
// exactly); the headers are not kept: a retraction has none.
//
// State (docs/formats/sql_state.md, "Upsert input state"): key 'u' + the
// record key bytes, value: version 1, the offset and the timestamp (8 bytes
// little-endian each), the value bytes.
//
// Threading: the query's thread only. Errors: task_state reads.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kafka/client/producer.h"
#include "sql/format/format.h"
#include "sql/state/task_state.h"
#include "sql/stream/continuous_query.h"

namespace spate::sql::detail {

class upsert_normaliser {
  public:
    explicit upsert_normaliser(std::unique_ptr<task_state> state);

    // Normalises `run`. `retract` gets views of the previous rows (valid
    // until the next call), in the order of their keys' last records;
    // `insert` the run indexes of the records to insert, ascending. Both
    // are replaced. The state changes are buffered in the task state.
    sql_status normalise(std::span<const record_view> run, std::vector<record_view>& retract,
                         std::vector<uint32_t>& insert);

    task_state& state() { return *_state; }

  private:
    const std::string& state_key(std::string_view record_key);

    std::unique_ptr<task_state> _state;
    // Scratch, reused across runs.
    std::vector<uint32_t> _order;
    std::vector<uint32_t> _last;  // per key: its last record's run index
    std::string _key_buf;
    std::string _value_buf;
    std::string _arena;  // previous values of this run, back to back
    struct previous {
        uint32_t last;  // the key's last record in the run
        size_t begin, size;
        int64_t offset, timestamp_ms;
    };
    std::vector<previous> _previous;
};

// The normalisers of the source partitions this member holds, their state
// under `<state_dir>/input` logged to input_changelog_topic(query_id).
// Follows the stateful dataflow's transaction: log_pending() in
// prepare_commit, committed()/aborted() after it.
class upsert_inputs {
  public:
    explicit upsert_inputs(const query_spec& spec) : _spec(spec) {}

    // Opens (restoring from the changelog) the state of source `partition`.
    status open(int32_t partition);
    void close(int32_t partition) { _tasks.erase(partition); }
    // record_router's run_normaliser.
    status normalise(int32_t partition, std::span<const record_view> run,
                     std::vector<record_view>& retract, std::vector<uint32_t>& insert);
    status log_pending(const std::function<status(const kafka::client::outgoing_record&)>& sink);
    // True when `r` reports one of this object's changelog records.
    bool delivered(const kafka::client::delivery_report& r);
    status committed();
    void aborted();
    // Keys and bytes of the held partitions' state.
    state_stats stats() const;

  private:
    const query_spec& _spec;
    std::map<int32_t, std::unique_ptr<upsert_normaliser>> _tasks;
    std::map<int32_t, int64_t> _changelog_end;  // of the open transaction
};

}  // namespace spate::sql::detail
