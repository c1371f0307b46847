#pragma once

// The state of an upsert changelog (an updating view's topic), in memory:
// key -> latest row, ordered by the order-preserving encoding of the typed
// key values (key_codec.h), so point and range lookups on the key's leading
// columns are map seeks. A record with a value upserts its key; a null
// value (tombstone) deletes it. Subscribers see every change applied after
// they subscribed: an update as the old row with diff -1 then the new one
// with diff +1, a delete as -1, an insert as +1 (a record repeating a key's
// current value changes nothing).
//
// Threading: apply() is called by one thread (the replica's); reads and
// subscribe() from any thread. Readers see the state between two apply()
// calls (a shared lock), never half a batch. Errors: a record whose key
// does not decode as the key columns is skipped and counted (logged).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sql/format/format.h"

namespace spate::sql {

// One live row: the record that wrote it. Immutable once stored (shared by
// snapshots and change events).
struct replica_row {
    std::string key;    // the record key (the key columns as a JSON object)
    std::string value;  // the record value (the row in the view's format)
    int32_t partition = 0;
    int64_t offset = 0;
    int64_t timestamp_ms = -1;
};
using replica_row_ptr = std::shared_ptr<const replica_row>;

// Encoded keys k with lower <= k < upper (key_codec.h); an empty upper has
// no bound.
struct key_range {
    std::string lower;
    std::string upper;
};

struct change_row {
    int64_t ts_ms = 0;  // the record's timestamp (ms)
    int8_t diff = 1;
    replica_row_ptr row;
};

// One changelog record to apply (views into the consumer's message).
struct changelog_record {
    std::optional<std::string_view> key;
    std::optional<std::string_view> value;  // nullopt: a tombstone
    int32_t partition = 0;
    int64_t offset = 0;
    int64_t timestamp_ms = -1;
};

// The changes a subscriber has not taken yet. At most k_max_queued wait;
// beyond that the subscription ends with an error (the client is too slow).
class replica_subscription {
  public:
    static constexpr size_t k_max_queued = 1'000'000;

    // Moves up to `max` changes (in the order applied) into `out`, waiting
    // up to `wait` for the first; returns how many. Errors: the store closed
    // (its view dropped, the server stopping, the replica failing) or the
    // subscriber fell behind; query_canceled when `cancelled` is set.
    sql_result<size_t> take(std::vector<change_row>& out, size_t max,
                            std::chrono::milliseconds wait, const std::atomic<bool>* cancelled);

  private:
    friend class replica_store;
    void push(change_row c);
    void close(const sql_error& e);

    std::mutex _mu;
    std::condition_variable _cv;
    std::deque<change_row> _queue;     // guarded by _mu
    std::optional<sql_error> _closed;  // guarded by _mu
};

class replica_store {
  public:
    // `key_columns`: the changelog key's fields, in key order.
    explicit replica_store(std::string view, std::vector<column_def> key_columns);

    // Applies `records` (each partition's in offset order), atomically for
    // readers.
    void apply(std::span<const changelog_record> records);

    // The rows in `ranges` (disjoint, ascending), in key order, from one
    // state.
    std::vector<replica_row_ptr> rows_in(std::span<const key_range> ranges) const;
    // Every row now, and a subscription to every change after exactly this
    // state.
    std::shared_ptr<replica_subscription> subscribe(std::vector<replica_row_ptr>& snapshot);
    // Ends every subscription (and later subscribe() calls) with `e`.
    void close(const sql_error& e);

    size_t size() const;
    int64_t skipped() const;
    const std::vector<column_def>& key_columns() const { return _key_columns; }

  private:
    // The encoded key of each record (nullopt: skipped), decoded in one pass.
    std::vector<std::optional<std::string>> encode_keys(std::span<const changelog_record> records);
    void apply_one(const changelog_record& r, std::string key);
    void publish(int64_t ts_ms, int8_t diff, const replica_row_ptr& row);

    const std::string _view;
    const std::vector<column_def> _key_columns;
    std::unique_ptr<record_decoder> _key_decoder;  // apply() thread only
    mutable std::shared_mutex _mu;
    std::map<std::string, replica_row_ptr, std::less<>> _rows;      // guarded by _mu
    std::vector<std::weak_ptr<replica_subscription>> _subscribers;  // guarded by _mu
    std::optional<sql_error> _closed;                               // guarded by _mu
    std::atomic<int64_t> _skipped{0};
};

}  // namespace spate::sql
