#pragma once

// Value types shared by the producer, consumer and admin clients.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace spate::kafka::client {

// Logical offsets (librdkafka's values) accepted where an offset is asked for.
inline constexpr int64_t k_offset_beginning = -2;
inline constexpr int64_t k_offset_end = -1;
inline constexpr int64_t k_offset_stored = -1000;   // the committed offset
inline constexpr int64_t k_offset_invalid = -1001;  // none known

// ListOffsets "timestamps" asking for the log end and the log start.
inline constexpr int64_t k_latest_timestamp = -1;
inline constexpr int64_t k_earliest_timestamp = -2;

// Any partition (the partitioner picks one).
inline constexpr int32_t k_any_partition = -1;

struct topic_partition {
    std::string topic;
    int32_t partition = 0;
    auto operator<=>(const topic_partition&) const = default;
};

struct partition_offset {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = k_offset_invalid;
    std::string metadata;  // commit metadata; ignored elsewhere
    bool operator==(const partition_offset&) const = default;
};

// A per-partition outcome (delete-records, offset commits, offset lookups).
struct partition_result {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = k_offset_invalid;
    status result;
};

// A record header; an unset value is a Kafka null.
struct header {
    std::string key;
    std::optional<std::string> value;
    bool operator==(const header&) const = default;
};

struct broker_node {
    int32_t id = -1;
    std::string host;
    int32_t port = 0;
    // "host:port (id N)" ("[::1]:9092 (id N)" for IPv6).
    std::string text() const;
};

}  // namespace spate::kafka::client
