#pragma once

// A Kafka producer over librdkafka: plain, idempotent or transactional.
//
// Threading: produce(), poll(), flush() and the transaction calls are made by
// one thread at a time, except that send_offsets_to_transaction() may run on
// another thread while one produces (librdkafka allows produce calls during
// it; it serves no delivery report). Delivery callbacks run inside poll(),
// flush(), produce() (while it waits for queue space) and
// commit_transaction(), on the calling thread. The counters may be read from
// any thread.
// Ordering: records to one partition are delivered in produce() order; with
// `idempotent` (implied by a transactional id) without duplicates.
// Errors: see error.h. A record that cannot be delivered is reported through
// its delivery report, not by produce().

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "kafka/client/config.h"
#include "kafka/client/types.h"
#include "model/record_batch.h"

namespace spate::kafka::client {

class consumer;

enum class acks { none, leader, all };
using compression = model::compression;  // compression.codec, named as Kafka does

struct producer_options {
    client_config client;
    enum acks acks = acks::all;
    client::compression compression = client::compression::none;
    int linger_ms = 5;
    std::optional<int> batch_bytes;        // batch.size
    std::optional<int> batch_records;      // batch.num.messages
    std::optional<int> queue_max_records;  // queue.buffering.max.messages
    std::optional<int> queue_max_kbytes;   // queue.buffering.max.kbytes
    // message.timeout.ms; unset: librdkafka's (300 s, or a transactional
    // producer's transaction.timeout.ms, which it must not exceed).
    std::optional<int> delivery_timeout_ms = 30000;
    bool idempotent = false;
    std::string transactional_id;  // non-empty: transactional (and idempotent)
};

// The librdkafka properties of `o` (client properties last, so they win).
property_list producer_properties(const producer_options& o);

// One record to send. Views must stay valid for the produce() call only.
struct outgoing_record {
    std::string_view topic;
    int32_t partition = k_any_partition;
    std::optional<std::string_view> key;    // unset: null key
    std::optional<std::string_view> value;  // unset: null value (a tombstone)
    const std::vector<header>* headers = nullptr;
    std::optional<int64_t> timestamp_ms;  // unset: the time of produce()
    uint64_t tag = 0;                     // handed back in the delivery report
};

struct delivery_report {
    std::string topic;
    int32_t partition = -1;
    int64_t offset = -1;  // -1 when unknown (acks=0) or failed
    uint64_t tag = 0;
    status result;
};

class producer {
  public:
    using delivery_callback = std::function<void(const delivery_report&)>;

    // A producer for `o`; `on_delivery` (may be empty) sees every report.
    // Fails on a malformed configuration, not on an unreachable broker.
    static result<producer> create(const producer_options& o, delivery_callback on_delivery = {});

    producer(producer&&) noexcept;
    producer& operator=(producer&&) noexcept;
    // Destroys the handle without waiting: undelivered records are dropped
    // (flush() first to deliver them).
    ~producer();

    // Queues `r`, waiting (and serving callbacks) while the client queue is
    // full. Fails on an unknown partition, a too large record or a fatal
    // producer error.
    status produce(const outgoing_record& r);

    // Queues `records` in order as produce() would one at a time; runs of
    // one topic without headers or timestamps go to librdkafka in one call.
    // On an error, the records before the failed one are queued, the others
    // not.
    status produce_batch(std::span<const outgoing_record> records);

    // Serves delivery callbacks for up to `timeout_ms`; returns how many ran.
    int poll(int timeout_ms);
    // Waits until every queued record is delivered or failed (errc::timed_out
    // after `timeout_ms`).
    status flush(int timeout_ms);
    // Records queued or in flight.
    int64_t outstanding() const;

    int64_t delivered() const;
    int64_t failed() const;
    // The first failed delivery's error text; empty when none failed.
    std::string first_failure() const;

    // Metadata of `topic` (errc::not_found when it does not exist); waits for
    // the broker as admin::topic does.
    result<int32_t> partition_count(const std::string& topic);
    // True once `topic`'s partition 0 has a leader; waits up to `timeout_ms`.
    status wait_for_leader(const std::string& topic, int timeout_ms);

    // Transactions (a transactional id is required): init once, then
    // begin/produce/(send_offsets)/commit or abort.
    status init_transactions(int timeout_ms);
    status begin_transaction();
    // Adds the consumer's `offsets` (with their metadata) to the transaction
    // (committed with it).
    status send_offsets_to_transaction(const std::vector<partition_offset>& offsets,
                                       const consumer& c, int timeout_ms);
    status commit_transaction(int timeout_ms);
    status abort_transaction(int timeout_ms);

    struct impl;

  private:
    explicit producer(std::unique_ptr<impl> p);
    std::unique_ptr<impl> _impl;
};

// librdkafka's version, e.g. "2.0.2", for reports.
std::string library_version();

}  // namespace spate::kafka::client
