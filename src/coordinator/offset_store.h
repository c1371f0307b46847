#pragma once

// Committed offsets and group membership as records of the internal topic
// __consumer_offsets (one partition, cleanup.policy=compact), replayed into
// the coordinator on start (the topic is created on first use). Layouts are
// Kafka's OffsetCommitKey v1 / OffsetCommitValue v3 and GroupMetadataKey v2 /
// GroupMetadataValue v3; see docs/formats/consumer-offsets.md. A null value
// (tombstone) removes the offset or the group's membership.
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
#include "coordinator/internal_topic.h"
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
// other than 0/1 (e.g. group metadata records, version 2).
result<offset_record> decode_offset_record(std::span<const std::byte> key,
                                           std::optional<std::span<const std::byte>> value);

bytes encode_group_key(const std::string& group);
bytes encode_group_value(const group_snapshot& g);

struct group_record {
    std::string group;
    std::optional<group_snapshot> value;  // nullopt: tombstone
};
// errc::corrupt for malformed bytes; errc::unsupported for key versions
// other than 2 and value versions above 3.
result<group_record> decode_group_record(std::span<const std::byte> key,
                                         std::optional<std::span<const std::byte>> value);

// KIP-848 consumer groups: one record per group, key (int16 version 0x7300,
// string group id), value the snapshot of groups/consumer_log.h. The key
// version is Spate's own (Kafka splits this state over key versions 3-8).
inline constexpr int16_t k_consumer_group_key_version = 0x7300;
bytes encode_consumer_group_key(const std::string& group);
// The group id of a consumer group record key; errc::unsupported for other
// key versions, errc::corrupt for malformed bytes.
result<std::string> decode_consumer_group_key(std::span<const std::byte> key);

class offset_store {
  public:
    // A store over `logs` (which must outlive it). The topic is created on
    // the first append, as Kafka creates it on first use, so a broker that
    // never sees a group has no internal topic.
    explicit offset_store(storage::log_manager& logs);

    // Appends a group's offset changes (nullopt: a tombstone) as one batch,
    // so a commit request is stored all-or-nothing.
    status append_offsets(const std::string& group, const std::vector<offset_change>& changes);
    // Appends a transaction's offsets (TxnOffsetCommit) as one transactional
    // batch of the producer; they count once its COMMIT marker follows.
    status append_txn_offsets(const std::string& group, int64_t producer_id, int16_t producer_epoch,
                              const std::vector<offset_change>& changes);
    // Appends a group's membership (nullopt: a tombstone).
    status append_group(const std::string& group, const std::optional<group_snapshot>& g);
    // Appends a KIP-848 group's snapshot (nullopt: a tombstone).
    status append_consumer_group(const std::string& group, const std::optional<bytes>& snapshot);
    // Replays every record into `gc` (later records win); transactional
    // offsets are pending until their producer's marker. Records of unknown
    // versions are skipped; a corrupt batch is an error.
    status load_into(group_coordinator& gc);
    // The topic itself (transaction markers are written to its log).
    internal_topic& topic() { return _topic; }

  private:
    static std::vector<key_value> offset_records(const std::string& group,
                                                 const std::vector<offset_change>& changes);

    internal_topic _topic;
};

}  // namespace spate::coordinator
