#pragma once

// The partition of a keyed record as Kafka's Java client (and librdkafka's
// "murmur2_random" partitioner) picks it by default: murmur2 of the key
// bytes, made non-negative, modulo the partition count. Writers that agree
// on it keep every record of one key in one partition, which a compacted
// topic and an upsert reader rely on.

#include <cstdint>
#include <string_view>

namespace spate::sql {

// Kafka's murmur2 (seed 0x9747b28c) of `bytes`.
uint32_t kafka_murmur2(std::string_view bytes);
// (murmur2(key) & 0x7fffffff) % partitions; `partitions` >= 1.
int32_t kafka_key_partition(std::string_view key, int32_t partitions);

}  // namespace spate::sql
