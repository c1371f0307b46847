#pragma once

// This server's replica of an updating view: a thread consuming the view's
// upsert changelog topic (read_committed, every partition from the log
// start) into a replica_store, so ad-hoc SELECTs and SUBSCRIBE read the
// view's current rows from memory instead of the topic's history.
//
// Consistency: sync() waits until the replica has applied everything the
// topic held (up to each partition's last stable offset) when sync() was
// called, so a read after sync() sees at least what was committed to the
// view topic before it. The partitions are those of the topic at start().
//
// Threading: one consumer thread per replica, owned by the object (stop()
// joins it); every other method may be called from any thread. Errors: a
// fatal consumer error is logged, kept as last_error() and retried with
// backoff; sync() fails with it while it lasts.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kafka/client/config.h"
#include "kafka/client/consumer.h"
#include "sql/serving/replica_store.h"

namespace spate::sql {

struct replica_options {
    kafka::client::client_config kafka;
    std::string view;  // for logs and errors
    std::string topic;
    std::vector<column_def> key_columns;  // the changelog key's fields, in key order
};

class view_replica {
  public:
    // Assigns every partition of `o.topic` from its start and starts the
    // consumer thread. Errors: the topic's partitions cannot be listed.
    static sql_result<std::shared_ptr<view_replica>> start(replica_options o);
    ~view_replica();  // stops

    // Stops consuming and ends the store's subscriptions with `why`;
    // idempotent.
    void stop(const std::string& why = "the view's replica stopped");

    // Waits (up to `timeout`) until every partition's applied position
    // reached the end offset it has now. Errors: io_error on a timeout or a
    // consumer failure, query_canceled when `cancelled` is set.
    sql_status sync(std::chrono::milliseconds timeout, const std::atomic<bool>* cancelled);

    replica_store& store() { return _store; }
    const replica_options& options() const { return _options; }
    std::string last_error() const;

  private:
    view_replica(replica_options o, kafka::client::consumer c, kafka::client::consumer offsets,
                 std::vector<int32_t> partitions);
    void run();
    void poll_once();
    // Records the consumer's positions and wakes sync() waiters.
    void record_positions();
    void set_error(std::string e);
    // Partition -> the end offset sync() waits for (partitions with nothing
    // to read left out).
    sql_result<std::map<int32_t, int64_t>> end_offsets();

    const replica_options _options;
    kafka::client::consumer _consumer;
    // End offsets for sync(), on connections of their own: a request queued
    // behind the replica's long-polling fetch would wait for it.
    kafka::client::consumer _offsets;
    const std::vector<int32_t> _partitions;
    replica_store _store;
    std::atomic<bool> _stopping{false};
    mutable std::mutex _mu;
    std::condition_variable _progress;
    std::map<int32_t, int64_t> _positions;  // guarded by _mu; next offset to read
    std::string _error;                     // guarded by _mu
    std::thread _thread;
};

}  // namespace spate::sql
