#pragma once

// Strong types for the identifiers the log and the protocol pass around.

#include <cstdint>
#include <limits>

#include "base/strong_type.h"

namespace spate::model {

struct offset_tag {};
struct partition_id_tag {};
struct producer_id_tag {};
struct producer_epoch_tag {};
struct leader_epoch_tag {};

// A record's position in a partition's log.
using offset = strong_type<int64_t, offset_tag>;
using partition_id = strong_type<int32_t, partition_id_tag>;
using producer_id = strong_type<int64_t, producer_id_tag>;
using producer_epoch = strong_type<int16_t, producer_epoch_tag>;
using leader_epoch = strong_type<int32_t, leader_epoch_tag>;

inline constexpr producer_id k_no_producer_id{-1};
inline constexpr producer_epoch k_no_producer_epoch{-1};
inline constexpr int32_t k_no_sequence = -1;
inline constexpr int64_t k_no_timestamp = -1;

}  // namespace spate::model
