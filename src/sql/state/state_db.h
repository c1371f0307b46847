#pragma once

// The RocksDB of one task's state (docs/formats/sql_state.md, "RocksDB
// layout"): user keys under the prefix 'd', the task's metadata (format,
// changelog identity, checkpoint) under 'm'. Writes are staged in one
// WriteBatch and written together, without a WAL: a batch carries its
// checkpoint, so whatever a crash keeps is a consistent prefix that the
// changelog replay completes.
//
// Threading: one thread at a time, except that one thread may get(),
// scan() and read the estimates while another stages and writes (the
// two share no member). Internal to sql/state.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sql/types/error.h"

namespace rocksdb {
class DB;
class Iterator;
class Slice;
class WriteBatch;
}  // namespace rocksdb

namespace spate::sql::detail {

inline constexpr int k_state_format = 1;

struct state_checkpoint {
    int64_t offset = 0;   // changelog offset restore resumes at
    int64_t wall_ms = 0;  // when it was taken (system clock)
};

struct state_meta {
    bool empty = true;                     // no key at all (a new directory)
    std::optional<int> format;             // k_state_format
    std::optional<std::string> changelog;  // "<topic>/<partition>"
    std::optional<state_checkpoint> checkpoint;
};

// Keys of [from, to) in order (to empty: no bound), prefix stripped.
class state_cursor {
  public:
    state_cursor(rocksdb::DB* db, std::string_view from, std::string_view to);
    ~state_cursor();
    bool valid() const;
    std::string_view key() const;  // valid() only
    std::string_view value() const;
    void next();
    sql_status status() const;  // after !valid(): an I/O error, if any

  private:
    std::string _upper;  // the iterator's bound; outlives it
    std::unique_ptr<rocksdb::Slice> _bound;
    std::unique_ptr<rocksdb::Iterator> _it;
};

class state_db {
  public:
    // Opens (creating) the RocksDB at `path`. Errors: io_error naming the
    // path (e.g. another object holds its lock).
    static sql_result<std::unique_ptr<state_db>> open(const std::string& path);
    // Flushes the memtable (nothing is lost without it: the changelog
    // replays it; flushing keeps the next open() short).
    ~state_db();

    sql_result<state_meta> read_meta() const;
    // Deletes every key and file and starts an empty database.
    sql_status wipe();

    // The committed value of `key` into `out`; false when there is none.
    sql_result<bool> get(std::string_view key, std::string& out) const;
    std::unique_ptr<state_cursor> scan(std::string_view from, std::string_view to) const;

    // Staged changes, written by write_staged() in one batch.
    void stage_put(std::string_view key, std::string_view value);
    void stage_remove(std::string_view key);
    void stage_checkpoint(const state_checkpoint& c);
    // Format and changelog identity (written with the first checkpoint).
    void stage_identity(std::string_view changelog);
    size_t staged_bytes() const;
    sql_status write_staged();

    // RocksDB's estimates: user keys and live bytes (metadata included).
    int64_t estimated_keys() const;
    int64_t estimated_bytes() const;

  private:
    explicit state_db(std::string path);
    sql_status open_db();
    void close_db();

    std::string _path;
    rocksdb::DB* _db = nullptr;
    std::unique_ptr<rocksdb::WriteBatch> _batch;
    mutable std::string _key;  // prefixed key of get(); capacity reused
};

}  // namespace spate::sql::detail
