#pragma once

// Incremental fetch sessions (KIP-227). A session remembers the partitions a
// client fetches and what it was last told about each, so that later
// ("incremental") requests list only changed partitions and responses carry
// only partitions with news.
//
// Request (session_id, epoch) semantics:
//   (0, -1)  full fetch, no session;          (0, 0)   full fetch, new session
//   (X, -1)  close X, then full fetch;        (X, n>0) incremental fetch on X
// Threading: the cache is thread-safe. A session's contents are guarded by its
// own mutex; a client fetches on one session sequentially (the epoch check
// rejects a concurrent duplicate).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "kafka/protocol/error_code.h"
#include "kafka/protocol/types.h"

namespace spate::broker {

// The broker names Kafka's error codes unqualified.
using kafka::code;
using kafka::error_code;
using kafka::to_error_code;

struct session_partition {
    kafka::protocol::uuid topic_id;
    int64_t fetch_offset = 0;
    int32_t max_bytes = 0;
    // What the last response said about this partition (-2: never sent).
    int64_t high_watermark = -2;
    int64_t log_start_offset = -2;
};

struct fetch_session {
    int32_t id = 0;
    std::mutex mu;  // guards everything below
    int32_t next_epoch = 1;
    std::map<std::pair<std::string, int32_t>, session_partition> partitions;
};

class fetch_session_cache {
  public:
    explicit fetch_session_cache(size_t max_sessions) : _max(max_sessions) {}

    // A new session (expected next epoch 1); evicts the least recently used
    // session when full. Returns nullptr when max_sessions is 0.
    std::shared_ptr<fetch_session> create();
    // The session `id` if `epoch` is the one it expects next, which is then
    // advanced. fetch_session_id_not_found / invalid_fetch_session_epoch.
    std::pair<std::shared_ptr<fetch_session>, error_code> acquire(int32_t id, int32_t epoch);
    void remove(int32_t id);
    size_t size() const;

  private:
    mutable std::mutex _mu;
    size_t _max;
    uint64_t _clock = 0;
    std::map<int32_t, std::pair<uint64_t, std::shared_ptr<fetch_session>>> _sessions;
};

}  // namespace spate::broker
