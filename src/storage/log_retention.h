#pragma once

// Retention of a log (internal to storage; contracts on
// log::delete_records_before and log::enforce_retention in log.h): moving
// the log start offset, persisting it in partition.meta before any segment
// below it is deleted, and expiring idle producers.

#include <cstddef>
#include <cstdint>

#include "base/result.h"
#include "model/ids.h"
#include "storage/log_state.h"

namespace spate::storage {

// Producers idle longer than this are forgotten by apply_retention().
inline constexpr int64_t k_producer_id_expiration_ms = 24LL * 3600 * 1000;

// DeleteRecords: moves the log start to `o`, rolling the active segment when
// `o` is the log end, and deletes the segments wholly below it.
// errc::out_of_range when `o` is negative or past the log end.
status move_log_start(log_state& s, model::offset o);

// retention.ms / retention.bytes over closed segments (an expired active
// segment is rolled first), for cleanup.policy=delete; returns the number of
// segments deleted. Expires idle producers whatever the policy.
result<size_t> apply_retention(log_state& s, int64_t now_ms);

}  // namespace spate::storage
