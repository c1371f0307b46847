#pragma once

// Command-line options of the Kafka client sub-commands (`spate topic ...`,
// `spate group ...`, `spate txn ...`, `spate produce`, `spate consume`): one
// struct per command, the CLI11 definition that fills it (define_*; the same
// definition serves `spate` and the parse_* functions the tests call) and
// the pure value parsers the definitions use. No I/O, no Kafka client.
// parse_* return an `invalid_argument` error carrying CLI11's message.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace CLI {
class App;
}

namespace spate::cli {

inline constexpr const char* default_bootstrap = "127.0.0.1:9092";

// "k=v" → {k, v}; the key must be non-empty, the value may be empty.
result<std::pair<std::string, std::string>> parse_key_value(const std::string& s);

// Whole-string integer parse within [min, max]; `what` names the option in errors.
result<int64_t> parse_int(const std::string& s, int64_t min, int64_t max, const std::string& what);

struct topic_create_args {
    std::string bootstrap = default_bootstrap;
    std::string command_config;  // --command-config FILE; empty: none
    std::string name;
    int32_t partitions = 1;
    int32_t replication_factor = 1;
    std::vector<std::pair<std::string, std::string>> configs;
};

struct topic_name_args {  // list (name empty), describe, delete
    std::string bootstrap = default_bootstrap;
    std::string command_config;  // --command-config FILE; empty: none
    std::string name;
};

struct topic_alter_config_args {
    std::string bootstrap = default_bootstrap;
    std::string command_config;  // --command-config FILE; empty: none
    std::string name;
    std::vector<std::pair<std::string, std::string>> set;
    std::vector<std::string> remove;  // keys reverted to their default
};

struct topic_delete_records_args {
    std::string bootstrap = default_bootstrap;
    std::string command_config;  // --command-config FILE; empty: none
    std::string name;
    int32_t partition = 0;
    int64_t before = 0;  // new log start offset; -1: the high watermark (delete all)
};

struct produce_args {
    std::string bootstrap = default_bootstrap;
    std::string command_config;  // --command-config FILE; empty: none
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
    std::string command_config;  // --command-config FILE; empty: none
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
    std::string command_config;       // --command-config FILE; empty: none
    std::vector<std::string> states;  // canonical state names; empty: every state
};

struct group_describe_args {
    std::string bootstrap = default_bootstrap;
    std::string command_config;  // --command-config FILE; empty: none
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
    std::string command_config;  // --command-config FILE; empty: none
    std::string group;
    std::vector<topic_selection> topics;  // empty iff all_topics
    bool all_topics = false;              // every partition the group has offsets for
    reset_target target = reset_target::earliest;
    int64_t value = 0;  // the offset (target offset) or epoch ms (target datetime)
    bool dry_run = false;
};

struct group_delete_args {
    std::string bootstrap = default_bootstrap;
    std::string command_config;       // --command-config FILE; empty: none
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

// ---- spate txn ----

struct txn_list_args {
    std::string bootstrap = default_bootstrap;
    std::string command_config;         // --command-config FILE; empty: none
    std::vector<std::string> states;    // canonical state names; empty: every state
    std::vector<int64_t> producer_ids;  // empty: every producer id
};

struct txn_describe_args {
    std::string bootstrap = default_bootstrap;
    std::string command_config;                  // --command-config FILE; empty: none
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

// ---- CLI11 definitions ----

// `--bootstrap HOST:PORT[,...]` and `--command-config FILE` (an existing
// file: Kafka client properties, read when the command runs; see
// kafka/client/client_properties.h), bound to `bootstrap` and
// `command_config`: every Kafka client command has both.
void add_connection_options(CLI::App& cmd, std::string& bootstrap, std::string& command_config);

// Each adds its command's options and positionals to `cmd`, bound to `out`
// (which must outlive `cmd`), and a callback that checks what options alone
// cannot (exclusive choices, KEY=VALUE syntax) and fills the derived fields;
// a failed check is a CLI11 ValidationError (exit 2).

void define_topic_create(CLI::App& cmd, topic_create_args& out);
void define_topic_name(CLI::App& cmd, topic_name_args& out, bool want_name);
void define_topic_alter_config(CLI::App& cmd, topic_alter_config_args& out);
void define_topic_delete_records(CLI::App& cmd, topic_delete_records_args& out);
void define_produce(CLI::App& cmd, produce_args& out);
void define_consume(CLI::App& cmd, consume_args& out);
void define_group_list(CLI::App& cmd, group_list_args& out);
void define_group_describe(CLI::App& cmd, group_describe_args& out);
void define_group_reset(CLI::App& cmd, group_reset_args& out);
void define_group_delete(CLI::App& cmd, group_delete_args& out);
void define_txn_list(CLI::App& cmd, txn_list_args& out);
void define_txn_describe(CLI::App& cmd, txn_describe_args& out);

}  // namespace spate::cli
