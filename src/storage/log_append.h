#pragma once

// The append path of a log (internal to storage; contracts on log::append
// and log::append_marker in log.h): validation before the lock, the
// idempotent-producer checks, offset assignment in place, rolls, the write,
// and dirty marking for the flush ticker.

#include <cstdint>
#include <span>

#include "base/result.h"
#include "model/ids.h"
#include "storage/log_state.h"
#include "storage/log_types.h"

namespace spate::storage {

// Takes s.mu exclusively once the batches are validated.
result<append_result> append_batches(log_state& s, std::span<std::byte> batches);

// Writes a COMMIT or ABORT control batch for `pid` and, for an ABORT ending
// an open transaction, its transaction index entry. Takes s.mu exclusively.
result<append_result> append_txn_marker(log_state& s, model::producer_id pid,
                                        model::producer_epoch epoch, bool commit,
                                        int32_t coordinator_epoch);

}  // namespace spate::storage
