#pragma once

// Output formatting and pure helpers of the client sub-commands. No I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/args.h"

namespace spate::cli {

// A consumed record as the formatter sees it. Unset key/value/header values
// are Kafka nulls and print as "null".
struct record_fields {
    int32_t partition = 0;
    int64_t offset = 0;
    int64_t timestamp_ms = -1;
    std::optional<std::string_view> key;
    std::optional<std::string_view> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

// One output line, newline included: the enabled fields in the order
// timestamp, key, headers ("k=v,k=v"), value, joined by `opts.separator`.
std::string format_record(const consume_args& opts, const record_fields& r);

// Splits a `produce` input line at the first `sep`; nullopt when `sep` is absent.
std::optional<std::pair<std::string_view, std::string_view>> split_key_value(std::string_view line,
                                                                             std::string_view sep);

struct partition_description {
    int32_t id = 0;
    int32_t leader = -1;
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr;
    std::string error;  // empty when the partition reported no error
};

struct config_description {
    std::string name;
    std::optional<std::string> value;
    bool is_default = false;
    bool read_only = false;
    bool sensitive = false;
};

struct topic_description {
    std::string name;
    std::vector<partition_description> partitions;
    std::vector<config_description> configs;
};

// Human-readable describe output: a topic line, one line per partition (by
// id), then the configs sorted by name with "(default)" on defaults and
// sensitive values hidden.
std::string format_topic_description(const topic_description& t);

// Names sorted, one per line.
std::string format_topic_list(std::vector<std::string> names);

// The complete config set to send with a non-incremental AlterConfigs: the
// topic's current explicitly-set configs (`current_overrides`) with `set`
// applied and `remove` dropped, sorted by name. AlterConfigs replaces every
// dynamic config of the resource, so anything not in this list reverts to its
// default.
std::vector<std::pair<std::string, std::string>> merge_config_overrides(
    std::vector<std::pair<std::string, std::string>> current_overrides,
    const std::vector<std::pair<std::string, std::string>>& set,
    const std::vector<std::string>& remove);

}  // namespace spate::cli
