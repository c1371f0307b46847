#pragma once

// Partition 0 of an internal topic (__consumer_offsets,
// __transaction_state): created with its configs on the first append, as Kafka
// creates internal topics on first use, appended one batch per call and
// replayed batch by batch on start.
//
// Threading: every method may be called from any thread; appends are
// serialised (batches land in call order).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "model/record_batch.h"
#include "storage/log.h"
#include "storage/log_manager.h"

namespace spate::coordinator {

// A record: key and value (nullopt: a tombstone).
using key_value = std::pair<std::vector<std::byte>, std::optional<std::vector<std::byte>>>;

// The bytes of a text key or value.
inline std::vector<std::byte> text_bytes(std::string_view s) {
    const auto* b = reinterpret_cast<const std::byte*>(s.data());
    return {b, b + s.size()};
}

class internal_topic {
  public:
    // `logs` must outlive the topic.
    internal_topic(storage::log_manager& logs, std::string name,
                   std::map<std::string, std::string> configs);

    // The producer of a transactional batch written by a coordinator
    // (TxnOffsetCommit): no sequence number, so retries are not deduplicated.
    struct txn_producer {
        int64_t producer_id = -1;
        int16_t producer_epoch = -1;
    };

    // Appends `records` as one batch (all-or-nothing), timestamped now.
    // Storage errors are returned (errc::producer_fenced for a transactional
    // batch of a fenced epoch).
    result<storage::append_result> append(const std::vector<key_value>& records,
                                          std::optional<txn_producer> txn = std::nullopt);
    // The partition's log; nullptr when the topic does not exist and
    // `create` is false.
    result<std::shared_ptr<storage::log>> partition(bool create);
    // Calls `fn` with every batch from the log start to the log end, in
    // order; stops at the first error (a corrupt batch or one from `fn`).
    status replay(const std::function<status(const model::record_batch_view&)>& fn);
    // A record's key and value (nullopt: a tombstone) as text.
    using keyed_fn =
        std::function<status(std::string_view key, std::optional<std::string_view> value)>;
    // Calls `fn` with every record of the non-control batches, in order. A
    // record without a key is errc::corrupt; an error (from `fn` too) stops
    // the replay and is returned with the topic and offset in its message.
    status replay_keyed(const keyed_fn& fn);

  private:
    result<std::shared_ptr<storage::log>> partition_locked(bool create);

    storage::log_manager& _logs;
    const std::string _name;
    const std::map<std::string, std::string> _configs;
    std::mutex _mu;  // serialises appends; guards _log
    std::shared_ptr<storage::log> _log;
};

}  // namespace spate::coordinator
