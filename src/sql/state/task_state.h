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
// Threading: one task (the query's thread) uses an object at a time.

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
    // task's RocksDB lives in a subdirectory of it per changelog partition.
    std::string dir;
    std::string changelog_topic;          // compacted; created by the query
    int32_t partition = 0;                // this task's changelog partition
    kafka::client::client_config client;  // restore reads
    int timeout_ms = 30000;
};

// Produces one record inside the caller's transaction (the query's producer).
using state_record_sink = std::function<status(const kafka::client::outgoing_record&)>;

struct state_stats {
    int64_t keys = 0;              // committed keys (RocksDB's estimate)
    int64_t bytes = 0;             // live key + value bytes (estimate)
    int64_t restored_records = 0;  // changelog records replayed by open()
};

class task_state {
  public:
    // Opens or creates the task's RocksDB and restores it up to the
    // changelog partition's committed end. Errors: the directory cannot be
    // opened, the changelog cannot be read within timeout_ms.
    static sql_result<std::unique_ptr<task_state>> open(const state_options& o);
    virtual ~task_state() = default;

    // The value of `key` (buffered changes first), or nothing.
    virtual sql_result<std::optional<std::string>> get(std::string_view key) const = 0;
    virtual void put(std::string_view key, std::string_view value) = 0;
    virtual void remove(std::string_view key) = 0;
    // Visits keys in [from, to) in bytewise order (empty `to`: no upper
    // bound), buffered changes merged in; stops when `visit` returns false.
    virtual sql_status scan(
        std::string_view from, std::string_view to,
        const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;

    virtual bool has_pending() const = 0;
    // Produces the buffered changes (key, value; a removal is a null value)
    // to the task's changelog partition through `sink`.
    virtual status log_pending(const state_record_sink& sink) = 0;
    // The transaction holding the logged changes committed: applies them.
    virtual sql_status commit() = 0;
    // It aborted (or was never committed): forgets the buffered changes.
    virtual void rollback() = 0;

    virtual state_stats stats() const = 0;
};

}  // namespace spate::sql
