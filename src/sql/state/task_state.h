#pragma once

// The keyed state of one task of a continuous query (one partition of one
// stateful operator): bytes keys in bytewise order -> bytes values, kept in
// RocksDB under the server's data directory and logged to a compacted
// changelog topic in the query's Kafka transaction (docs/formats/sql_state.md).
//
// Life of a change: put()/remove() buffer it (reads see it at once);
// log_pending() produces every buffered change to the changelog partition
// of this task inside the caller's open transaction; after the transaction
// commits, commit() writes them to RocksDB; after an abort, rollback()
// drops them. RocksDB therefore never holds a change the changelog may not
// have, and open() repairs the other direction (a crash after the
// transaction committed but before commit()): it replays the changelog
// (read_committed) from the checkpoint RocksDB records to the partition's
// end. An empty or wiped directory replays from the start, so a task moved
// to another server, or restarted without its disk, rebuilds the same state.
//
// Caller contract (what makes the replay exact):
// - One writer per changelog partition: while an object is open, no other
//   producer commits records to its partition. Before open(), initialise
//   the task's transactional producer (init_transactions) so a transaction
//   a previous owner left open is resolved; open() waits (up to timeout_ms)
//   for every transaction below the partition's end to be decided.
// - rollback() only after the transaction is known aborted
//   (abort_transaction succeeded). When its outcome is unknown (commit and
//   abort both failed), destroy the object and open() it again.
// - At most one object per directory at a time (RocksDB's lock): destroy
//   the previous owner's object before opening the same task again.
//
// Threading: one task (the query's thread) uses an object at a time; the
// object's own writer thread applies committed changes (commit()).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "kafka/client/config.h"
#include "kafka/client/producer.h"
#include "sql/types/error.h"

namespace spate::sql {

struct state_options {
    // The query's state directory (e.g. <data dir>/sql-state/<query>); the
    // task's RocksDB lives in its subdirectory `p<partition>`.
    std::string dir;
    std::string changelog_topic;          // compacted; created by the query
    int32_t partition = 0;                // this task's changelog partition
    kafka::client::client_config client;  // restore reads
    // open() fails when the restore makes no progress for this long (a
    // broker down, a transaction left open); a large changelog may take
    // longer in total. What was restored until then is kept (checkpointed).
    int timeout_ms = 30000;
    // A checkpoint older than this is not trusted (open() rebuilds from the
    // start): compaction may have dropped a removal (tombstone) written after
    // it. Must stay below the changelog's delete.retention.ms (24 h default).
    int64_t max_checkpoint_age_ms = 12LL * 3600 * 1000;
};

// Produces one record inside the caller's transaction (the query's producer).
using state_record_sink = std::function<status(const kafka::client::outgoing_record&)>;

struct state_stats {
    int64_t keys = 0;              // keys (RocksDB's estimate, buffered changes counted)
    int64_t bytes = 0;             // live key + value bytes (estimate)
    int64_t restored_records = 0;  // changelog records replayed by open()
};

class task_state {
  public:
    // Opens or creates the task's RocksDB and restores it up to the
    // changelog partition's end (its high watermark when open() starts,
    // every transaction below it decided). Errors: bad options, the
    // directory cannot be opened (or is in use), the changelog topic or
    // partition does not exist, the restore stalls for timeout_ms.
    static sql_result<std::unique_ptr<task_state>> open(const state_options& o);
    virtual ~task_state() = default;

    // Creates the changelog topic `topic` (cleanup.policy=compact, 64 MiB
    // segments) with `partitions` partitions unless it exists; grows an
    // existing one with fewer partitions. A concurrent creator winning the
    // race is success. Errors: the cluster cannot be reached, or an
    // existing topic is not compacted (its retention would lose state).
    static sql_status ensure_changelog_topic(const kafka::client::client_config& c,
                                             const std::string& topic, int32_t partitions);

    // The value of `key` (buffered changes first), or nothing.
    virtual sql_result<std::optional<std::string>> get(std::string_view key) const = 0;
    // Hot-path form of get(): the value into `out` (its capacity reused);
    // false when there is none (`out` then unspecified).
    virtual sql_result<bool> get_into(std::string_view key, std::string& out) const = 0;
    virtual void put(std::string_view key, std::string_view value) = 0;
    // put() of a key the caller knows has no committed value unless a
    // change of it is buffered (e.g. a get() found none this interval):
    // removing it again before the commit then leaves no trace (no
    // changelog tombstone, no RocksDB delete). A wrong promise loses the
    // removal of the committed value.
    virtual void put_new(std::string_view key, std::string_view value) { put(key, value); }
    virtual void remove(std::string_view key) = 0;
    // Visits keys in [from, to) in bytewise order (empty `to`: no upper
    // bound), buffered changes merged in; stops when `visit` returns false.
    // The views are valid during the call only; `visit` must not change
    // this object.
    virtual sql_status scan(
        std::string_view from, std::string_view to,
        const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;

    virtual bool has_pending() const = 0;
    // Produces the buffered changes (key, value; a removal is a null value),
    // one record per key in no particular order, to the task's changelog
    // partition through `sink`. Once per transaction, after the last change
    // of it: commit() of a change made after log_pending() is a caller bug
    // and crashes.
    virtual status log_pending(const state_record_sink& sink) = 0;
    // The transaction holding the logged changes committed: applies them to
    // RocksDB in one write, on the object's writer thread (returns once it
    // started; reads see the changes meanwhile). The next commit(), scan()
    // and the destructor wait for it; an error of the write is returned by
    // the next commit() and every one after (reopen the object).
    // `changelog_end`: the offset after this task's last changelog record
    // in that transaction (its delivery report's offset + 1), if the caller
    // knows it; it becomes the checkpoint, so a later open() replays only
    // what follows. Without it the checkpoint stays where it was (open()
    // replays more, the result is the same).
    virtual sql_status commit(std::optional<int64_t> changelog_end) = 0;
    sql_status commit() { return commit(std::nullopt); }
    // It aborted (or was never committed): forgets the buffered changes.
    virtual void rollback() = 0;

    virtual state_stats stats() const = 0;
};

}  // namespace spate::sql
