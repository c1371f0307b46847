#pragma once

// Command-line parsing for the Kafka client sub-commands (`spate topic ...`,
// `spate produce`, `spate consume`). Pure functions: no I/O, no librdkafka, so
// they are unit-tested directly. Every parser returns an `invalid_argument`
// error with a message fit to print after "spate <command>: ".

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace spate::cli {

inline constexpr const char* default_bootstrap = "127.0.0.1:9092";

// One accepted `--name` option. `takes_value` options accept `--name V` and
// `--name=V`; `repeatable` ones may appear more than once (values kept in order).
struct option_spec {
    std::string name;  // without the leading "--"
    bool takes_value = true;
    bool repeatable = false;
};

// Result of `parse_options`: positionals in order, each option's values (flags
// map to one empty string per occurrence).
struct parsed_options {
    std::vector<std::string> positionals;
    std::map<std::string, std::vector<std::string>> values;

    bool has(const std::string& name) const { return values.count(name) != 0; }
    // The single value of a non-repeatable option, if given.
    std::optional<std::string> get(const std::string& name) const;
    const std::vector<std::string>& all(const std::string& name) const;
};

// Splits `args` by `specs`. Unknown options, missing values, values given to
// flags and repeats of non-repeatable options are errors. "--" ends options.
result<parsed_options> parse_options(const std::vector<std::string>& args,
                                     const std::vector<option_spec>& specs);

// "k=v" → {k, v}; the key must be non-empty, the value may be empty.
result<std::pair<std::string, std::string>> parse_key_value(const std::string& s);

// Whole-string integer parse within [min, max]; `what` names the option in errors.
result<int64_t> parse_int(const std::string& s, int64_t min, int64_t max, const std::string& what);

struct topic_create_args {
    std::string bootstrap = default_bootstrap;
    std::string name;
    int32_t partitions = 1;
    int32_t replication_factor = 1;
    std::vector<std::pair<std::string, std::string>> configs;
};

struct topic_name_args {  // list (name empty), describe, delete
    std::string bootstrap = default_bootstrap;
    std::string name;
};

struct topic_alter_config_args {
    std::string bootstrap = default_bootstrap;
    std::string name;
    std::vector<std::pair<std::string, std::string>> set;
    std::vector<std::string> remove;  // keys reverted to their default
};

struct topic_delete_records_args {
    std::string bootstrap = default_bootstrap;
    std::string name;
    int32_t partition = 0;
    int64_t before = 0;  // new log start offset; -1: the high watermark (delete all)
};

struct produce_args {
    std::string bootstrap = default_bootstrap;
    std::string topic;
    std::optional<std::string> key_separator;  // set: "key SEP value" lines
    std::vector<std::pair<std::string, std::string>> headers;
    int32_t partition = -1;  // -1: the partitioner decides
    std::string acks = "all";
    std::string compression = "none";
};

enum class start_position { end, beginning, offset, timestamp };

struct consume_args {
    std::string bootstrap = default_bootstrap;
    std::string topic;
    start_position start = start_position::end;
    int64_t start_value = 0;           // the offset or the timestamp (ms)
    std::optional<int32_t> partition;  // unset: every partition of the topic
    std::optional<int64_t> count;      // stop after this many records
    bool print_key = false;
    bool print_timestamp = false;
    bool print_headers = false;
    std::string separator = "\t";  // between printed fields
    int64_t timeout_ms = -1;       // stop after this long without a record; -1: never
};

result<topic_create_args> parse_topic_create(const std::vector<std::string>& args);
// `want_name`: describe/delete need exactly one NAME, list takes none.
result<topic_name_args> parse_topic_name(const std::vector<std::string>& args, bool want_name);
result<topic_alter_config_args> parse_topic_alter_config(const std::vector<std::string>& args);
// `--partition N --before OFFSET` are both required.
result<topic_delete_records_args> parse_topic_delete_records(const std::vector<std::string>& args);
result<produce_args> parse_produce(const std::vector<std::string>& args);
result<consume_args> parse_consume(const std::vector<std::string>& args);

// ---- spate group ----

struct group_list_args {
    std::string bootstrap = default_bootstrap;
    std::vector<std::string> states;  // canonical state names; empty: every state
};

struct group_describe_args {
    std::string bootstrap = default_bootstrap;
    std::string group;
    bool members = false;  // the members view instead of the offsets view
};

// One `--topic` of reset-offsets: a topic and some of its partitions.
struct topic_selection {
    std::string topic;
    std::vector<int32_t> partitions;  // sorted, unique; empty: every partition
};

enum class reset_target { earliest, latest, offset, datetime };

struct group_reset_args {
    std::string bootstrap = default_bootstrap;
    std::string group;
    std::vector<topic_selection> topics;  // empty iff all_topics
    bool all_topics = false;              // every partition the group has offsets for
    reset_target target = reset_target::earliest;
    int64_t value = 0;  // the offset (target offset) or epoch ms (target datetime)
    bool dry_run = false;
};

struct group_delete_args {
    std::string bootstrap = default_bootstrap;
    std::vector<std::string> groups;  // at least one
};

// A consumer group state name, case-insensitive ("stable", "Empty",
// "preparingrebalance", ...) → its canonical Kafka spelling ("Stable",
// "Empty", "PreparingRebalance", "CompletingRebalance", "Dead").
result<std::string> parse_group_state(const std::string& s);

// "TOPIC" or "TOPIC:P[,P]..." (Kafka topic names cannot contain ':').
result<topic_selection> parse_topic_selection(const std::string& s);

// Epoch milliseconds of an ISO-8601 date-time with an explicit zone —
// "YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM|+HHMM|-HHMM)" — or of a plain
// non-negative integer taken as epoch milliseconds.
result<int64_t> parse_datetime_ms(const std::string& s);

result<group_list_args> parse_group_list(const std::vector<std::string>& args);
result<group_describe_args> parse_group_describe(const std::vector<std::string>& args);
// Exactly one of --to-earliest, --to-latest, --to-offset N, --to-datetime TS
// and either --topic (repeatable) or --all-topics.
result<group_reset_args> parse_group_reset(const std::vector<std::string>& args);
result<group_delete_args> parse_group_delete(const std::vector<std::string>& args);

}  // namespace spate::cli
