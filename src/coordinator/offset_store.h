#pragma once

// Committed offsets as records of the internal topic __consumer_offsets
// (one partition, cleanup.policy=compact), replayed into the coordinator on
// start (the topic is created on first use). Key and value layouts follow Kafka's OffsetCommitKey
// v1 and OffsetCommitValue v3; see docs/formats/consumer-offsets.md. A null value (tombstone)
// removes the offset. Group membership is not stored: after a restart groups are Empty and members
// rejoin.
//
// Threading: append() and load_into() may be called from any thread;
// appends are serialised.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "coordinator/group_coordinator.h"
#include "storage/log.h"
#include "storage/log_manager.h"

namespace spate::coordinator {

inline constexpr const char* k_offsets_topic = "__consumer_offsets";

bytes encode_offset_key(const std::string& group, const topic_partition& tp);
bytes encode_offset_value(const committed_offset& o);

struct offset_record {
    std::string group;
    topic_partition tp;
    std::optional<committed_offset> value;  // nullopt: tombstone
};
// errc::corrupt for malformed bytes; errc::unsupported for key versions
// other than 0/1 (e.g. Kafka's group metadata records, version 2).
result<offset_record> decode_offset_record(std::span<const std::byte> key,
                                           std::optional<std::span<const std::byte>> value);

class offset_store {
  public:
    // A store over `logs` (which must outlive it). The topic is created on
    // the first append, as Kafka creates it on first use, so a broker that
    // never sees a group has no internal topic.
    explicit offset_store(storage::log_manager& logs) : _logs(logs) {}

    // Appends one commit (nullopt: a tombstone) as a one-record batch.
    status append(const std::string& group, const topic_partition& tp,
                  const std::optional<committed_offset>& o);
    // Replays every record into `gc` (later records win). Records of unknown
    // versions are skipped; a corrupt batch is an error.
    status load_into(group_coordinator& gc);

  private:
    // The topic's partition 0, creating the topic when `create`; nullptr
    // when it does not exist. Requires _mu.
    result<std::shared_ptr<storage::log>> partition(bool create);

    storage::log_manager& _logs;
    std::mutex _mu;  // serialises appends
    std::shared_ptr<storage::log> _log;
};

}  // namespace spate::coordinator
