#pragma once

// Pure parts of `spate txn list|describe`: argument parsing, bootstrap
// address lists, Kafka error names, and the list/describe output. No I/O, no
// librdkafka.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "cli/args.h"
#include "cli/group_format.h"

namespace spate::cli {

struct txn_list_args {
    std::string bootstrap = default_bootstrap;
    std::vector<std::string> states;    // canonical state names; empty: every state
    std::vector<int64_t> producer_ids;  // empty: every producer id
};

struct txn_describe_args {
    std::string bootstrap = default_bootstrap;
    std::vector<std::string> transactional_ids;  // at least one, unique, in argument order
};

// A transaction state name, case-insensitive ("ongoing", "COMPLETECOMMIT",
// ...) → Kafka's spelling: Empty, Ongoing, PrepareCommit, PrepareAbort,
// CompleteCommit, CompleteAbort, PrepareEpochFence, Dead.
result<std::string> parse_txn_state(const std::string& s);

// `list [--state S]... [--producer-id N]...` (repeats kept once).
result<txn_list_args> parse_txn_list(const std::vector<std::string>& args);
// `describe ID...` (at least one non-empty id; repeats kept once).
result<txn_describe_args> parse_txn_describe(const std::vector<std::string>& args);

struct host_port {
    std::string host;
    uint16_t port = 0;
    bool operator==(const host_port&) const = default;
};

// "HOST:PORT[,HOST:PORT]..." as librdkafka's bootstrap.servers takes it; an
// IPv6 host is written in brackets ("[::1]:9092"). Surrounding spaces around
// entries are ignored; an empty entry, a missing port or a port outside
// 1..65535 is an error.
result<std::vector<host_port>> parse_bootstrap(const std::string& s);

// Kafka's name of an error code that ListTransactions, DescribeTransactions,
// FindCoordinator, ApiVersions and Metadata can answer ("NONE",
// "TRANSACTIONAL_ID_NOT_FOUND", ...); "KAFKA_ERROR_<code>" for others.
std::string kafka_error_name(int16_t code);

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
