#pragma once

// A Kafka consumer over librdkafka: manual assignment or group subscription,
// read_committed or read_uncommitted, offset commits, seeks, positions and
// watermarks.
//
// Threading: calls may come from several threads as librdkafka's may (e.g.
// subscribe() while another thread polls), except close() and destruction,
// which must not race other calls. Rebalance callbacks run inside poll() on
// the polling thread; the log callback runs on librdkafka's threads.
// Ordering: records of one partition come in offset order.
// Errors: see error.h. poll() returns the errors a consumer cannot go on
// after (offset out of range with no reset policy, unknown topic or
// partition, authorization, corrupt records); other consumer errors go to
// `on_warning` and polling continues.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "kafka/client/config.h"
#include "kafka/client/types.h"

struct rd_kafka_message_s;
struct rd_kafka_s;

namespace spate::kafka::client {

enum class isolation { read_uncommitted, read_committed };
enum class offset_reset { earliest, latest, error };

struct consumer_options {
    client_config client;
    // librdkafka 2.0 requires a group id even for assign(); without
    // subscribe() or commits none is joined or written.
    std::string group_id = "spate-client";
    enum isolation isolation = isolation::read_committed;
    offset_reset reset = offset_reset::latest;
    bool auto_commit = false;
    std::optional<int> heartbeat_ms;
    std::optional<int> session_timeout_ms;
    std::string assignment_strategy;  // "range", "roundrobin", ...; empty: librdkafka's
    // Non-fatal consumer errors (unset: logged as warnings).
    std::function<void(const error&)> on_warning;
    // librdkafka log lines (set "debug" in client.properties for more);
    // unset: dropped.
    std::function<void(int level, const char* facility, const char* message)> on_log;
    // Group partitions assigned (true) or revoked (false) (eager protocol; the
    // consumer applies the change itself before calling).
    std::function<void(bool assigned, const std::vector<topic_partition>&)> on_rebalance;
};

// The librdkafka properties of `o` (client properties last, so they win).
property_list consumer_properties(const consumer_options& o);

// One consumed record; owns librdkafka's message (views stay valid while it
// lives). Move-only.
class message {
  public:
    message(message&&) noexcept;
    message& operator=(message&&) noexcept;
    ~message();

    std::string_view topic() const;
    int32_t partition() const;
    int64_t offset() const;
    int64_t timestamp_ms() const;                   // -1 when the record has none
    std::optional<std::string_view> key() const;    // unset: null
    std::optional<std::string_view> value() const;  // unset: null
    std::vector<header> headers() const;

  private:
    friend class consumer;
    explicit message(rd_kafka_message_s* m);
    struct deleter {
        void operator()(rd_kafka_message_s* m) const;
    };
    std::unique_ptr<rd_kafka_message_s, deleter> _m;
};

struct watermarks {
    int64_t low = 0;
    int64_t high = 0;
};

struct commit_result {
    uint64_t tag = 0;
    status result;
};

class consumer {
  public:
    // Fails on a malformed configuration, not on an unreachable broker.
    static result<consumer> create(const consumer_options& o);

    consumer(consumer&&) noexcept;
    consumer& operator=(consumer&&) noexcept;
    // Closes (leaves the group) if close() was not called, then destroys.
    ~consumer();

    // Reads from exactly these partitions at these offsets (k_offset_*
    // allowed); replaces any earlier assignment.
    status assign(const std::vector<partition_offset>& partitions);
    status subscribe(const std::vector<std::string>& topics);
    status unsubscribe();

    // The next record, nothing after `timeout_ms`, or a fatal error.
    result<std::optional<message>> poll(int timeout_ms);
    // Up to `max` records: waits up to `timeout_ms` for the first, then takes
    // what is already there. A fatal error after some records is returned by
    // the next call.
    result<std::vector<message>> poll_batch(size_t max, int timeout_ms);

    // Synchronous commit of `offsets` (the next offsets to read).
    status commit(const std::vector<partition_offset>& offsets);
    // Asynchronous commit; its result comes from next_commit_result(), tagged.
    status commit_async(const std::vector<partition_offset>& offsets, uint64_t tag);
    std::optional<commit_result> next_commit_result(int timeout_ms);
    // The group's committed offsets of `partitions` (k_offset_invalid: none),
    // with their commit metadata.
    result<std::vector<partition_offset>> committed(const std::vector<topic_partition>& partitions,
                                                    int timeout_ms);

    status seek(const topic_partition& tp, int64_t offset, int timeout_ms);
    // The next offset to read of each assigned partition in `partitions`.
    result<std::vector<partition_offset>> positions(const std::vector<topic_partition>& partitions);
    // Low and high watermarks (the last stable offset under read_committed).
    result<watermarks> query_watermarks(const topic_partition& tp, int timeout_ms);
    // The first offset with a timestamp at or after each partition's offset
    // field (epoch ms); -1 when there is none.
    result<std::vector<partition_offset>> offsets_for_times(
        const std::vector<partition_offset>& timestamps, int timeout_ms);
    // The partitions of `topic` (errc::not_found when it does not exist).
    result<std::vector<int32_t>> partitions_of(const std::string& topic);

    // Leaves the group and stops fetching; later calls fail.
    void close();

    struct impl;

  private:
    friend ::rd_kafka_s* native_handle(const consumer& c);
    explicit consumer(std::unique_ptr<impl> p);
    std::unique_ptr<impl> _impl;
};

}  // namespace spate::kafka::client
