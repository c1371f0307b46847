#pragma once

// Pure parts of `spate txn list|describe`: the list/describe output. No I/O.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "cli/args.h"
#include "cli/group_format.h"
#include "kafka/client/raw_admin.h"

namespace spate::cli {

// UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" of epoch milliseconds (>= 0).
std::string format_utc_ms(int64_t epoch_ms);

using txn_listing = kafka::client::transaction_listing;

// TRANSACTIONAL-ID PRODUCER-ID STATE, sorted by transactional id.
std::string format_txn_list(std::vector<txn_listing> txns);

using txn_details = kafka::client::transaction_description;

// Summary lines (transactional id, state, producer id, producer epoch,
// timeout, start time as UTC with the age at `now_ms` — "-" when there is
// none —, coordinator — "-" when it has no host —, partition count), a blank line, then TOPIC
// PARTITION sorted by topic and partition.
std::string format_txn_description(const txn_details& t, int64_t now_ms);

}  // namespace spate::cli
