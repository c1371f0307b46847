#pragma once

// The streaming aggregate of one task of sub-topology B (one repartition
// partition): groups in an in-memory hash map over the grouped_aggregates,
// backed by the task's keyed state (docs/sql.md, "Streaming aggregation and
// emit modes"; the state layout: docs/formats/sql_repartition.md).
//
// Life of an interval (one commit interval):
// - apply() adds repartitioned rows (diff +1 or -1), or partial aggregates
//   (combiner.h), to their groups; a group is loaded from the task state on
//   its first touch. Rows of a window the watermark already closed are
//   dropped (counted as late).
// - apply_marker() moves the task's watermark (watermark.h).
// - flush() ends the interval: in changelog mode (the default) it returns,
//   per group touched, -1 of the row it emitted before (if any) and +1 of
//   the new one (if the group has rows and passes HAVING), nothing when
//   they are equal (emit_upserts_only(): +1 rows and deletions only);
//   with EMIT ON WINDOW CLOSE it returns every row of the
//   windows the watermark closed, once. Touched groups are written to the
//   task state (removed when they have no rows), closed windows removed.
// - The caller logs the state changes in its transaction, then calls
//   committed() or, when the transaction aborts, aborted(): in-memory
//   groups are dropped and reload from the (rolled back) state.
//
// Threading: the query's thread only. Errors: task_state reads, corrupt
// state, aggregate errors (e.g. numeric overflow) are returned; the caller
// aborts the transaction.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sql/agg/aggregate_function.h"
#include "sql/expr/functions.h"
#include "sql/state/task_state.h"
#include "sql/stream/combiner.h"
#include "sql/stream/group_index.h"
#include "sql/stream/repartition.h"
#include "sql/stream/stateful_spec.h"
#include "sql/stream/watermark.h"

namespace spate::sql::detail {

struct aggregate_changes {
    chunk rows;  // the query's output columns
    std::vector<int8_t> diffs;
};

struct aggregate_task_stats {
    int64_t rows_in = 0;
    int64_t late_rows = 0;
    int64_t rows_out = 0;
};

class aggregate_task {
  public:
    // `def` must outlive the task. Reads the task's watermark from `state`.
    static sql_result<std::unique_ptr<aggregate_task>> create(const aggregate_def& def,
                                                              std::unique_ptr<task_state> state,
                                                              int32_t source_partitions);
    ~aggregate_task();

    sql_status apply(const repartition_rows& rows);
    void apply_marker(const watermark_marker& m);
    // Ends the interval (see above); `out` is replaced.
    sql_status flush(const eval_context& ctx, aggregate_changes& out);
    void committed();
    void aborted();

    task_state& state() { return *_state; }
    std::optional<int64_t> watermark() const { return _watermark.value(); }
    const aggregate_task_stats& stats() const { return _stats; }
    size_t groups_in_memory() const { return _index.size() + _sessions.size(); }
    // Past `max_groups` in memory, or past `max_bytes` of them (keys,
    // slots, as memory_bytes() estimates), at a commit, the groups touched
    // longest ago are released (down to three quarters of the limit passed;
    // SESSION: all of them) and reload from the task state when touched
    // again.
    void limit_groups_in_memory(size_t max_groups, size_t max_bytes = SIZE_MAX);
    // The in-memory groups' size, estimated (keys, slots; not the
    // aggregates' heap).
    size_t memory_bytes() const;
    // Changelog mode for an output keyed by the group key alone (an upsert
    // sink or view whose primary key is exactly the group keys; no HAVING,
    // no SESSION windows): flush() returns only +1 of each touched group's
    // row now, and -1 (key columns, null results) of a group that had rows
    // and has none. No row before is built, so an unchanged row is
    // returned again (the same upsert). Call before the first apply().
    void emit_upserts_only(bool on) { _upserts_only = on; }

  private:
    struct key_hash {
        using is_transparent = void;
        size_t operator()(std::string_view k) const;
    };
    // A group (SESSION: one session of a group): accumulators at the same
    // slot of every grouped_aggregate.
    struct slot {
        const std::string* key = nullptr;  // its key in _group_keys or _sessions
        bool indexed = false;              // in _index
        bool stored = false;               // its 'g' value is in the task state
        int64_t rows = 0;
        int64_t old_rows = 0;        // when first touched in this interval
        int32_t touched = -1;        // position in _touched, -1: untouched
        uint32_t last_interval = 0;  // the interval (_interval) it was last touched in
        // SESSION: the session's bounds, now and when first touched.
        int64_t start = 0, end = 0, old_start = 0, old_end = 0;
        // Its records in the task state besides the 'g' value
        // (group_state.cc): snapshot chunks, deltas since the snapshot.
        uint32_t chunks = 0, deltas = 0;
        int64_t snapshot_bytes = 0, delta_bytes = 0;
        int32_t delta_buf = -1;  // this interval's rows (delta mode): _delta_bufs index
    };
    // The rows a group in delta mode received in the interval, and the
    // partials merged (slot `index of this buffer` of _delta_aggs).
    struct delta_buffer {
        std::vector<column> values;  // the pre-aggregate columns after the keys
        std::vector<int8_t> diffs;
        bool has_partial = false;
        int64_t partial_rows = 0;
        // The interval's only partial so far, as received: its 'd' record
        // unless another partial follows (then both are in _delta_aggs).
        bool partial_as_bytes = false;
        std::string partial_bytes;
    };
    static constexpr uint32_t k_no_slot = UINT32_MAX;
    // SESSION: the sessions of one session key, ordered by start.
    struct session_group {
        std::vector<uint32_t> sessions;
        std::vector<int64_t> indexed_ends;  // the ends in the state's close index
        bool touched = false;
        bool stored = false;  // its 's' value is in the task state
    };
    using session_map = std::unordered_map<std::string, session_group, key_hash, std::equal_to<>>;

    aggregate_task(const aggregate_def& def, std::unique_ptr<task_state> state,
                   int32_t source_partitions);
    sql_status init();
    sql_result<uint32_t> find_or_load(std::string_view key);
    sql_result<uint32_t> find_or_load(std::string_view key, uint64_t hash);
    // Before a batch's lookups: the hashes of its keys into _key_hashes;
    // then prefetch_groups(i) before the i-th lookup (a cache hint).
    void hash_keys(std::span<const std::string_view> keys);
    void prefetch_groups(size_t i);
    // A free slot (in no index entry until the caller adds one).
    uint32_t allocate();
    // Frees `s` (and its index entry, if any).
    void release(uint32_t s);
    void touch(uint32_t s);
    void drop_memory();
    // Between intervals: releases the groups touched longest ago until
    // `keep` remain, remembering the stored ones' hashes in _evicted.
    void evict_cold(size_t keep);
    // A slot's memory; a group's besides its key (memory_bytes()' estimate).
    size_t slot_bytes() const;
    size_t bytes_per_group() const;
    // The groups in memory, or fewer when they passed a limit.
    size_t groups_to_keep() const;
    // Whether a key missing from _index may be in the task state.
    bool maybe_stored(uint64_t hash) const;
    sql_status load_slot(uint32_t s, std::string_view value);
    void save_slot(uint32_t s, std::string& out) const;
    sql_status update_calls(const chunk& values, std::span<const int8_t> diffs,
                            std::span<const uint32_t> slots);
    // Partials (combiner.h): each merged into its group.
    sql_status apply_partials(const repartition_rows& rows);
    // Merges _partial_aggs' slot 0 (`rows` rows, loaded from `bytes`) into
    // slot `s`, and into its delta buffer unless `bytes` is empty.
    sql_status merge_partial(uint32_t s, int64_t rows, std::string_view bytes);
    // A group's records in the task state (group_state.cc): `stored` is its
    // 'g' value; reads its chunks and replays its deltas.
    sql_status load_group(uint32_t s, std::string_view key, std::string_view stored);
    // Writes the group's interval: a delta (its rows) or a new snapshot.
    void write_group(uint32_t s, std::string_view key);
    void remove_group(uint32_t s, std::string_view key);
    // Keeps the rows of groups in delta mode (apply()).
    void buffer_deltas(const chunk& values, std::span<const int8_t> diffs);
    void start_delta(uint32_t s);
    void free_delta(uint32_t s);
    sql_status save_touched();
    // SESSION windows (session_operator.cc).
    sql_status apply_sessions(const repartition_rows& rows);
    sql_result<session_group*> find_or_load_sessions(std::string_view key);
    // The session slot a row at `time` goes to (merging the sessions it
    // joins), k_no_slot when it is late or retracts nothing.
    sql_result<uint32_t> session_for(const std::string& key, session_group& g, int64_t time,
                                     int8_t diff);
    sql_status save_sessions();
    void save_session_group(const std::string& key, session_group& g);
    sql_status close_sessions(const eval_context& ctx, aggregate_changes& out);
    // Output helpers (aggregate_emit.cc).
    sql_status changelog(const eval_context& ctx, aggregate_changes& out);
    // changelog() under emit_upserts_only().
    sql_status upserts(const eval_context& ctx, aggregate_changes& out);
    // Appends to `out`, per touched group i, -1 of its row before (id i in
    // `r`) and +1 of its row now (id n + i), nothing when they are equal.
    void pair_rows(const chunk& r, size_t n, aggregate_changes& out);
    sql_status close_windows(const eval_context& ctx, aggregate_changes& out);
    // Appends the key columns of `slots` to `keys` (the layout's key
    // columns; SESSION: with their bounds then or now).
    sql_status append_keys(std::span<const uint32_t> slots, bool before,
                           std::vector<column>& keys) const;
    // Appends the post-processed rows of `slots` with their `keys` (all +1)
    // to `out`.
    sql_status emit_final(std::vector<column> keys, std::span<const uint32_t> slots,
                          const eval_context& ctx, aggregate_changes& out);
    sql_status results_of(std::span<const uint32_t> slots, std::vector<column>& cols) const;
    sql_result<chunk> post(std::vector<column> keys_and_results, std::vector<int64_t> ids,
                           const eval_context& ctx) const;
    // The state key of group key bytes `key`, in _key_buf.
    const std::string& state_key(std::string_view key);

    const aggregate_def& _def;
    std::unique_ptr<task_state> _state;
    group_key_layout _layout;
    int32_t _source_partitions;
    aggregate_set _aggs;
    aggregate_set _partial_aggs;  // one slot: the partial being merged
    aggregate_set _delta_aggs;    // slot b: partials of delta buffer b
    watermark_merger _watermark;
    bool _watermark_dirty = false;           // markers applied since the last flush
    std::optional<int64_t> _closed_through;  // windows ending at or before it are gone

    group_index _index;
    // Slot s's key when it is indexed (a deque: keys do not move, slots
    // point at them).
    std::deque<std::string> _group_keys;
    // Every group the task state holds is in _index or has its key hash in
    // _evicted (find_or_load() then skips the state's lookup of a key that
    // is in neither). Set when the task opened over a state without groups;
    // cleared by drop_memory().
    bool _stored_groups_known = false;
    // Sorted, distinct key hashes of the stored groups evict_cold()
    // released (only grows until drop_memory(): a reloaded group's hash may
    // be another evicted group's too).
    std::vector<uint64_t> _evicted;
    bool _upserts_only = false;  // emit_upserts_only()
    uint32_t _interval = 0;      // intervals committed
    size_t _max_groups = 0;      // limit_groups_in_memory()
    size_t _max_bytes = 0;       // limit_groups_in_memory()
    session_map _sessions;
    std::vector<slot> _slots;
    std::vector<uint32_t> _free;
    size_t _key_bytes = 0;
    std::vector<uint32_t> _touched;
    // Per call, the results before of the touched groups that had rows then
    // (old_rows > 0), in touch order.
    std::vector<column> _old_results;
    std::vector<delta_buffer> _delta_bufs;
    std::vector<int32_t> _free_delta_bufs;
    aggregate_task_stats _stats;

    // Scratch of apply().
    std::vector<uint32_t> _row_slots;
    // SESSION: (merged session's slot, the slot it joined) in this apply().
    std::vector<std::pair<uint32_t, uint32_t>> _merged;
    std::vector<std::pair<const std::string*, session_group*>> _touched_groups;
    std::vector<uint8_t> _keep;
    std::string _key_buf;
    std::string _value_buf;
    std::vector<uint64_t> _key_hashes;      // hash_keys()
    std::vector<uint32_t> _key_candidates;  // prefetch_groups(): a slot per key, or k_none
    std::string _group_buf, _body_buf;      // write_group()
};

}  // namespace spate::sql::detail
