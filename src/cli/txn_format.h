#pragma once

// Pure parts of `spate txn list|describe`: the list/describe output. No I/O.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "cli/args.h"
#include "cli/group_format.h"

namespace spate::cli {

// UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" of epoch milliseconds (>= 0).
std::string format_utc_ms(int64_t epoch_ms);

struct txn_listing {
    std::string transactional_id;
    int64_t producer_id = -1;
    std::string state;
};

// TRANSACTIONAL-ID PRODUCER-ID STATE, sorted by transactional id.
std::string format_txn_list(std::vector<txn_listing> txns);

struct txn_details {
    std::string transactional_id;
    std::string state;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t timeout_ms = 0;
    int64_t start_time_ms = -1;  // -1: no transaction open
    std::string coordinator;     // "host:port (id N)"; may be empty
    std::vector<topic_partition_key> partitions;
};

// Summary lines (transactional id, state, producer id, producer epoch,
// timeout, start time as UTC with the age at `now_ms` — "-" when there is
// none —, coordinator, partition count), a blank line, then TOPIC PARTITION
// sorted by topic and partition.
std::string format_txn_description(const txn_details& t, int64_t now_ms);

}  // namespace spate::cli
