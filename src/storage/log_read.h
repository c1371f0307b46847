#pragma once

// The read path of a log (internal to storage; contracts on the log::
// methods of the same purpose in log.h). Every function takes s.mu shared:
// reads run concurrently with each other and with appends.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/result.h"
#include "model/ids.h"
#include "storage/log_state.h"
#include "storage/log_types.h"

namespace spate::storage {

// log::read.
result<read_result> read_batches(const log_state& s, model::offset from, size_t max_bytes,
                                 std::optional<model::offset> limit);
// log::offset_for_timestamp.
result<std::optional<model::offset>> offset_at_timestamp(const log_state& s, int64_t ts);
// log::last_stable_offset.
model::offset last_stable_offset_of(const log_state& s);
// log::aborted_transactions.
result<std::vector<aborted_transaction>> aborted_in_range(const log_state& s, model::offset from,
                                                          model::offset upto);

}  // namespace spate::storage
