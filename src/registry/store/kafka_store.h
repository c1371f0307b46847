#pragma once

// The registry over the `_schemas` topic (open_store's implementation).
//
// Reading: one consumer (read_committed, assigned partition 0 from the
// start) drives a follower thread that decodes every record and applies it
// to the state; `_applied_to` is the next offset it has yet to apply.
//
// Writing: serialized across every server sharing the topic by a
// transactional producer whose transactional.id all of them share. Each
// write creates a producer and initializes it (fencing any other server's
// writer, whose commit then fails and is retried), waits until the state has
// applied the topic to its end, computes the records from that state,
// produces them in one transaction and commits. Between init and commit no
// other writer can commit, so the state the records were computed from is
// the topic's. The write returns once the follower has applied them.
//
// Threading: service methods from any thread; writes of one process are
// also serialized by `_writer_mu`. The destructor stops and joins the
// follower.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "kafka/client/consumer.h"
#include "registry/store/open.h"
#include "registry/store/state_service.h"

namespace spate::registry {

class kafka_store final : public state_service {
  public:
    using clock = std::chrono::steady_clock;

    kafka_store(const store_options& o, kafka::client::consumer consumer,
                provider_lookup providers);
    ~kafka_store() override;

    // Starts the follower and waits until it has applied the topic to its
    // end (errors: the log's or timed_out).
    status start(clock::time_point deadline);

    // The client configuration every client of this store uses.
    static kafka::client::client_config client(const store_options& o, const char* role);
    // Milliseconds until `deadline`, 0 once past.
    static int ms_left(clock::time_point deadline);

  protected:
    outcome<committed> commit(const planner& plan) override;

  private:
    // One write attempt's outcome: done, refused (the plan's error, final),
    // or failed (a Kafka error worth retrying).
    struct attempt {
        std::optional<registry_error> refused;
        std::optional<error> failed;
    };
    attempt try_commit(const planner& plan, clock::time_point deadline);

    void follow();
    void apply_messages(const std::vector<kafka::client::message>& batch);
    // The topic's end (last stable offset), read committed.
    result<int64_t> end_offset(clock::time_point deadline);
    // Waits until the follower has applied every offset before `offset`.
    bool wait_applied(int64_t offset, clock::time_point deadline);

    store_options _opts;
    kafka::client::consumer _consumer;
    std::thread _follower;
    std::atomic<bool> _stop{false};

    std::mutex _progress_mu;  // guards _applied_to
    std::condition_variable _progress_cv;
    int64_t _applied_to = 0;

    std::mutex _writer_mu;  // one write at a time in this process
};

// open_store with the schema providers given (tests substitute their own).
result<std::shared_ptr<service>> open_kafka_store(const store_options& o,
                                                  provider_lookup providers);

}  // namespace spate::registry
