#pragma once

// Pure parts of `spate group`: the offsets/lag view of a group, reset-offset
// planning and the aligned tables they print as. No I/O, no librdkafka.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/args.h"

namespace spate::cli {

using topic_partition_key = std::pair<std::string, int32_t>;  // topic, partition

// Rows under a header, columns left-aligned and separated by at least two
// spaces; no trailing spaces; every line ends in a newline. Rows shorter than
// the header get empty cells.
std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

struct group_listing {
    std::string group;
    std::string state;          // e.g. "Stable"
    std::string protocol_type;  // "consumer", or empty for a simple (offsets-only) group
};

// GROUP STATE PROTOCOL-TYPE, sorted by group; an empty protocol type prints "-".
std::string format_group_list(std::vector<group_listing> groups);

struct group_member {
    std::string member_id;
    std::string client_id;
    std::string host;
    std::vector<topic_partition_key> assignment;
};

struct group_summary {
    std::string group;
    std::string state;
    std::string assignor;     // the protocol (partition assignor); may be empty
    std::string coordinator;  // "host:port (id N)"; may be empty
    std::vector<group_member> members;
};

// One partition of the offsets view.
struct lag_row {
    std::string topic;
    int32_t partition = 0;
    std::optional<int64_t> current;  // committed offset
    std::optional<int64_t> log_end;
    std::optional<int64_t> lag;            // log_end - current when both are known
    const group_member* member = nullptr;  // the member assigned it, if any
};

// Every partition that is assigned to a member or has a committed offset,
// sorted by topic and partition. `members` must outlive the rows.
std::vector<lag_row> build_lag_rows(const std::vector<group_member>& members,
                                    const std::map<topic_partition_key, int64_t>& committed,
                                    const std::map<topic_partition_key, int64_t>& log_end);

// The summary lines, a blank line, then TOPIC PARTITION CURRENT-OFFSET
// LOG-END-OFFSET LAG MEMBER-ID CLIENT-ID HOST with "-" for unknown values.
std::string format_group_offsets(const group_summary& g, const std::vector<lag_row>& rows);

// The summary lines, a blank line, then MEMBER-ID CLIENT-ID HOST PARTITIONS
// ASSIGNMENT ("topic:p,p;topic:p"), sorted by member id.
std::string format_group_members(const group_summary& g);

// The first offset a partition holds and the offset after its last record.
struct offset_bounds {
    int64_t log_start = 0;
    int64_t log_end = 0;
};

// The offset reset-offsets commits for one partition. `value` is the wanted
// offset for `reset_target::offset` (clamped into [log_start, log_end], as
// Kafka does) and, for `reset_target::datetime`, the offset ListOffsets found
// for the timestamp (negative: no record at or after it, which resets to
// log_end).
int64_t plan_reset_offset(reset_target target, int64_t value, offset_bounds b);

struct planned_offset {
    std::string topic;
    int32_t partition = 0;
    int64_t new_offset = 0;
};

// TOPIC PARTITION NEW-OFFSET, sorted by topic and partition.
std::string format_reset_plan(std::vector<planned_offset> plan);

}  // namespace spate::cli
