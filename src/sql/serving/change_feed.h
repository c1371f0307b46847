#pragma once

// What SUBSCRIBE reads: a relation's rows as a stream of changes, each with
// a timestamp (ms) and a diff. First the snapshot (every row, diff +1, all
// with the time the subscription started), then every change after it:
// - an updating view (relation.upsert_key set): from this server's replica,
//   updates as -1 old row / +1 new row, deletes as -1;
// - an append-only view or a source: the topic read from its start
//   (read_committed), records up to the end offsets at the start as the
//   snapshot, later ones +1 each.
// Timestamps never decrease: a change's is max(its record's, the previous
// change's).
//
// Threading: one thread at a time. Errors: Kafka failures (io_error), the
// view dropped (object_in_use), query_canceled.

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "sql/catalog/catalog.h"
#include "sql/serving/replica_set.h"

namespace spate::sql {

class change_feed {
  public:
    virtual ~change_feed() = default;
    // Appends up to `max` changes to `out`, waiting up to `wait` for the
    // first; returns how many.
    virtual sql_result<size_t> poll(std::vector<change_row>& out, size_t max,
                                    std::chrono::milliseconds wait) = 0;
};

struct feed_options {
    bool snapshot = true;                           // false: changes after the start only
    std::chrono::milliseconds sync_timeout{30000};  // replica catch-up (updating views)
    const std::atomic<bool>* cancelled = nullptr;   // may be null
};

sql_result<std::unique_ptr<change_feed>> open_change_feed(const relation_def& r,
                                                          const kafka::client::client_config& kafka,
                                                          replica_set& replicas,
                                                          const feed_options& o);

}  // namespace spate::sql
