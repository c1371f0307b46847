#pragma once

// Internal to continuous_query: the running query's state and its thread's
// loop (query_loop.cc). One session = one consumer (group member) plus one
// producer; any failure the session cannot recover from in place ends it,
// and the loop starts a new one after a backoff. Input is only ever re-read
// from the group's committed offsets, so a session ending loses and
// duplicates nothing (exactly_once) or only duplicates (at least once).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"
#include "sql/stream/continuous_query.h"
#include "sql/stream/dataflow.h"
#include "sql/stream/record_batcher.h"

namespace spate::sql {

struct continuous_query::impl {
    query_spec spec;
    query_stats stats;
    std::unique_ptr<detail::dataflow> flow;
    // The smallest max.message.bytes of the topics the query writes, read
    // at start: the producer's batch limit.
    int64_t max_batch_bytes = 1048588;

    // Guards `stopping` for the backoff wait and `last_error`.
    mutable std::mutex mu;
    std::condition_variable wake;
    std::atomic<bool> stopping{false};
    std::string last_error;
    std::thread thread;

    void run();  // the query's thread
    void set_error(const std::string& e);
    void clear_error();
    // Waits `ms` or until stop() is called; false when stopping.
    bool backoff(int ms);
};

namespace detail {

// One session: the clients and the open transaction's bookkeeping. Lives on
// the query's thread only.
class query_session {
  public:
    explicit query_session(continuous_query::impl& q) : _q(q) {}
    ~query_session();

    // Creates the clients and subscribes; an error ends the session.
    status open();
    // Runs until stop or an error the session cannot recover from.
    status run();

  private:
    status open_consumer();
    status open_producer();
    status step();
    // Applies the group changes the rebalance callback saw during the last
    // poll; false when the polled batch must be dropped.
    result<bool> rebalanced();
    status commit();
    status commit_now();
    // Aborts the open transaction (if any) and moves every partition read
    // since the last commit back to its first uncommitted offset. A
    // `failure` becomes the query's last_error.
    status abort_and_rewind(const std::string& why, bool failure);
    void note_batch(const std::vector<kafka::client::message>& batch);
    std::vector<kafka::client::partition_offset> next_offsets() const;

    continuous_query::impl& _q;
    std::optional<kafka::client::consumer> _consumer;
    std::optional<kafka::client::producer> _producer;
    std::optional<record_batcher> _batch;  // the output's way to _producer
    bool _in_txn = false;
    // Set by the rebalance callback inside poll, applied after it returns.
    std::vector<kafka::client::topic_partition> _newly_assigned, _newly_revoked;
    std::set<kafka::client::topic_partition> _assigned;  // kept by the rebalance callback
    int64_t _delivery_failures = 0;  // at least once: failed deliveries since the last commit
    std::string _first_delivery_failure;
    std::chrono::steady_clock::time_point _last_commit;
    // Every poll since the last commit filled its batch (query_loop.cc).
    bool _backlog_since_commit = true;
    std::chrono::steady_clock::time_point _last_report;  // of the time split (info log)
    int64_t _reported_records = 0;
    void report_time_split();
    // Per partition read since the last commit: first offset read, next offset.
    std::map<kafka::client::topic_partition, std::pair<int64_t, int64_t>> _pending;
};

}  // namespace detail

}  // namespace spate::sql
