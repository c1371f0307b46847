// The CLI11 definitions of the client sub-commands' options (see args.h).

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>

#include "cli/args.h"
#include "cli/parse_with.h"

namespace spate::cli {

namespace {

template <typename T>
void add_once(std::vector<T>& v, T x) {
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(std::move(x));
}

// Runs `check` once `cmd` is parsed; a failure is a usage error.
void after_parse(CLI::App& cmd, std::function<status()> check) {
    cmd.callback([check = std::move(check)] {
        if (auto s = check(); !s.ok()) throw CLI::ValidationError(s.err().message);
    });
}

// A validator from a value parser: the value must parse; with `canonical`
// it is replaced by the parsed spelling.
template <typename T>
CLI::Validator parsed_by(std::function<result<T>(const std::string&)> parse, std::string desc,
                         bool canonical = false) {
    return CLI::Validator(
        [parse = std::move(parse), canonical](std::string& v) -> std::string {
            auto r = parse(v);
            if (!r.ok()) return r.err().message;
            if constexpr (std::is_same_v<T, std::string>) {
                if (canonical) v = *r;
            }
            return {};
        },
        std::move(desc));
}

const CLI::Validator& key_value() {
    static const CLI::Validator v = parsed_by<std::pair<std::string, std::string>>(
        [](const std::string& s) { return parse_key_value(s); }, "");
    return v;
}

// KEY=VALUE strings of a repeatable option, split once parsed.
using raw_list = std::shared_ptr<std::vector<std::string>>;

std::vector<std::pair<std::string, std::string>> split_all(const std::vector<std::string>& raw) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& s : raw)
        out.push_back(*parse_key_value(s));  // checked by the key_value validator
    return out;
}

}  // namespace

void add_connection_options(CLI::App& cmd, std::string& bootstrap, std::string& command_config) {
    cmd.add_option("--bootstrap", bootstrap, "Kafka broker(s) to connect to")
        ->type_name("HOST:PORT[,...]")
        ->capture_default_str();
    cmd.add_option("--command-config", command_config,
                   "Kafka client properties: security.protocol, sasl.*, ssl.*")
        ->check(CLI::ExistingFile)
        ->type_name("FILE");
}

void define_topic_create(CLI::App& cmd, topic_create_args& out) {
    cmd.add_option("NAME", out.name, "Topic name")->required();
    cmd.add_option("--partitions", out.partitions, "Partition count")
        ->check(CLI::Range(1, 1 << 20))
        ->capture_default_str();
    cmd.add_option("--replication-factor", out.replication_factor, "Replicas per partition")
        ->check(CLI::Range(1, 32767))
        ->capture_default_str();
    auto raw = std::make_shared<std::vector<std::string>>();
    cmd.add_option("--config", *raw, "Topic config KEY=VALUE (repeatable)")
        ->allow_extra_args(false)
        ->check(key_value())
        ->type_name("KEY=VALUE");
    add_connection_options(cmd, out.bootstrap, out.command_config);
    after_parse(cmd, [&out, raw]() -> status {
        out.configs = split_all(*raw);
        return {};
    });
}

void define_topic_name(CLI::App& cmd, topic_name_args& out, bool want_name) {
    if (want_name) cmd.add_option("NAME", out.name, "Topic name")->required();
    add_connection_options(cmd, out.bootstrap, out.command_config);
}

void define_topic_alter_config(CLI::App& cmd, topic_alter_config_args& out) {
    cmd.add_option("NAME", out.name, "Topic name")->required();
    auto raw = std::make_shared<std::vector<std::string>>();
    cmd.add_option("--set", *raw, "Set KEY=VALUE (repeatable)")
        ->allow_extra_args(false)
        ->check(key_value())
        ->type_name("KEY=VALUE");
    cmd.add_option("--delete", out.remove, "Revert KEY to its default (repeatable)")
        ->allow_extra_args(false)
        ->check(CLI::Validator(
            [](std::string& v) { return v.empty() ? std::string("empty config name") : ""; }, ""))
        ->type_name("KEY");
    add_connection_options(cmd, out.bootstrap, out.command_config);
    after_parse(cmd, [&out, raw]() -> status {
        out.set = split_all(*raw);
        if (out.set.empty() && out.remove.empty())
            return make_error(errc::invalid_argument, "nothing to change: give --set or --delete");
        for (const auto& [k, v] : out.set) {
            if (std::find(out.remove.begin(), out.remove.end(), k) != out.remove.end())
                return make_error(errc::invalid_argument,
                                  "config '" + k + "' both set and deleted");
        }
        return {};
    });
}

void define_topic_delete_records(CLI::App& cmd, topic_delete_records_args& out) {
    cmd.add_option("NAME", out.name, "Topic name")->required();
    cmd.add_option("--partition", out.partition, "Partition")
        ->required()
        ->check(CLI::Range(0, INT32_MAX));
    cmd.add_option("--before", out.before, "New log start offset (-1: the high watermark)")
        ->required()
        ->check(CLI::Range(int64_t(-1), INT64_MAX));
    add_connection_options(cmd, out.bootstrap, out.command_config);
}

void define_produce(CLI::App& cmd, produce_args& out) {
    cmd.add_option("TOPIC", out.topic, "Topic to produce to (one record per stdin line)")
        ->required();
    cmd.add_option("--key-separator", out.key_separator, "Lines are KEY SEP VALUE")
        ->check(CLI::Validator(
            [](std::string& v) { return v.empty() ? std::string("must not be empty") : ""; }, ""))
        ->type_name("SEP");
    auto raw = std::make_shared<std::vector<std::string>>();
    cmd.add_option("--header", *raw, "Header KEY=VALUE on every record (repeatable)")
        ->allow_extra_args(false)
        ->check(key_value())
        ->type_name("KEY=VALUE");
    cmd.add_option("--partition", out.partition, "Partition (default: the partitioner's)")
        ->check(CLI::Range(0, INT32_MAX));
    cmd.add_option("--acks", out.acks, "Acknowledgements")
        ->check(CLI::IsMember({"all", "-1", "1", "0"}))
        ->capture_default_str();
    cmd.add_option("--compression", out.compression, "Compression codec")
        ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
        ->capture_default_str();
    add_connection_options(cmd, out.bootstrap, out.command_config);
    after_parse(cmd, [&out, raw]() -> status {
        out.headers = split_all(*raw);
        if (out.acks == "-1") out.acks = "all";
        return {};
    });
}

void define_consume(CLI::App& cmd, consume_args& out) {
    cmd.add_option("TOPIC", out.topic, "Topic to read")->required();
    auto* begin = cmd.add_flag("--from-beginning")->description("Start at the first record");
    auto* offset = cmd.add_option("--offset", out.start_value, "Start at offset N")
                       ->check(CLI::Range(int64_t(0), INT64_MAX));
    auto* ts = cmd.add_option("--timestamp", out.start_value,
                              "Start at the first record at or after epoch ms MS")
                   ->check(CLI::Range(int64_t(0), INT64_MAX));
    begin->excludes(offset)->excludes(ts);
    offset->excludes(ts);
    cmd.add_option("--partition", out.partition, "Read only this partition")
        ->check(CLI::Range(0, INT32_MAX));
    cmd.add_option("--count", out.count, "Stop after N records")
        ->check(CLI::Range(int64_t(1), INT64_MAX));
    cmd.add_flag("--print-key", out.print_key, "Print the key");
    cmd.add_flag("--print-timestamp", out.print_timestamp, "Print the timestamp (ms)");
    cmd.add_flag("--print-headers", out.print_headers, "Print the headers as k=v,k=v");
    cmd.add_option("--separator", out.separator, "Between printed fields (default: a tab)");
    cmd.add_option("--timeout-ms", out.timeout_ms, "Stop after this long without a record")
        ->check(CLI::Range(int64_t(0), int64_t(INT32_MAX)));
    add_connection_options(cmd, out.bootstrap, out.command_config);
    after_parse(cmd, [&out, begin, offset, ts]() -> status {
        if (*begin) out.start = start_position::beginning;
        if (*offset) out.start = start_position::offset;
        if (*ts) out.start = start_position::timestamp;
        return {};
    });
}

void define_group_list(CLI::App& cmd, group_list_args& out) {
    cmd.add_option("--state", out.states, "Only groups in this state (repeatable)")
        ->allow_extra_args(false)
        ->transform(parsed_by<std::string>(parse_group_state, "", true))
        ->type_name("STATE");
    add_connection_options(cmd, out.bootstrap, out.command_config);
    after_parse(cmd, [&out]() -> status {
        std::vector<std::string> unique;
        for (auto& s : out.states)
            add_once(unique, s);
        out.states = std::move(unique);
        return {};
    });
}

void define_group_describe(CLI::App& cmd, group_describe_args& out) {
    cmd.add_option("GROUP", out.group, "Consumer group")
        ->required()
        ->check(CLI::Validator(
            [](std::string& v) { return v.empty() ? std::string("empty GROUP") : ""; }, ""));
    cmd.add_flag("--members", out.members, "Show the members instead of the offsets");
    add_connection_options(cmd, out.bootstrap, out.command_config);
}

void define_group_delete(CLI::App& cmd, group_delete_args& out) {
    cmd.add_option("GROUP", out.groups, "Consumer groups to delete")
        ->required()
        ->check(CLI::Validator(
            [](std::string& v) { return v.empty() ? std::string("empty GROUP") : ""; }, ""));
    add_connection_options(cmd, out.bootstrap, out.command_config);
    after_parse(cmd, [&out]() -> status {
        std::vector<std::string> unique;
        for (auto& g : out.groups)
            add_once(unique, g);
        out.groups = std::move(unique);
        return {};
    });
}

void define_group_reset(CLI::App& cmd, group_reset_args& out) {
    cmd.add_option("GROUP", out.group, "Consumer group")
        ->required()
        ->check(CLI::Validator(
            [](std::string& v) { return v.empty() ? std::string("empty GROUP") : ""; }, ""));
    auto raw = std::make_shared<std::vector<std::string>>();
    auto* topic = cmd.add_option("--topic", *raw, "TOPIC or TOPIC:P[,P]... to reset (repeatable)")
                      ->allow_extra_args(false)
                      ->check(parsed_by<topic_selection>(parse_topic_selection, ""))
                      ->type_name("TOPIC[:P,...]");
    auto* all =
        cmd.add_flag("--all-topics", out.all_topics, "Every partition the group has offsets for");
    topic->excludes(all);
    auto* earliest = cmd.add_flag("--to-earliest")->description("Reset to the log start");
    auto* latest = cmd.add_flag("--to-latest")->description("Reset to the log end");
    auto* offset = cmd.add_option("--to-offset", out.value, "Reset to offset N (clamped)")
                       ->check(CLI::Range(int64_t(0), INT64_MAX));
    auto* when = cmd.add_option("--to-datetime",
                                "Reset to the first record at or after TS "
                                "(2026-11-23T10:00:00Z, ...+01:00 or epoch ms)")
                     ->check(parsed_by<int64_t>(parse_datetime_ms, ""))
                     ->type_name("TS");
    cmd.add_flag("--dry-run", out.dry_run, "Print the new offsets without committing them");
    add_connection_options(cmd, out.bootstrap, out.command_config);
    after_parse(cmd, [&out, raw, all, earliest, latest, offset, when]() -> status {
        if (!*all && raw->empty())
            return make_error(errc::invalid_argument, "missing --topic T[:P,...] or --all-topics");
        out.topics.clear();
        for (const auto& t : *raw) {
            auto sel = parse_topic_selection(t);
            SPATE_TRY(sel);
            for (const auto& prev : out.topics) {
                if (prev.topic == sel->topic)
                    return make_error(errc::invalid_argument,
                                      "--topic '" + sel->topic + "' given twice");
            }
            out.topics.push_back(std::move(*sel));
        }
        int targets =
            int(bool(*earliest)) + int(bool(*latest)) + int(bool(*offset)) + int(bool(*when));
        if (targets != 1) {
            return make_error(errc::invalid_argument,
                              std::string(targets == 0 ? "missing" : "more than one") +
                                  " reset target: give one of --to-earliest, --to-latest, "
                                  "--to-offset N, --to-datetime TS");
        }
        if (*earliest) out.target = reset_target::earliest;
        if (*latest) out.target = reset_target::latest;
        if (*offset) out.target = reset_target::offset;
        if (*when) {
            out.target = reset_target::datetime;
            out.value = *parse_datetime_ms(when->as<std::string>());
        }
        return {};
    });
}

void define_txn_list(CLI::App& cmd, txn_list_args& out) {
    cmd.add_option("--state", out.states, "Only transactions in this state (repeatable)")
        ->allow_extra_args(false)
        ->transform(parsed_by<std::string>(parse_txn_state, "", true))
        ->type_name("STATE");
    cmd.add_option("--producer-id", out.producer_ids, "Only this producer id (repeatable)")
        ->allow_extra_args(false)
        ->check(CLI::Range(int64_t(0), INT64_MAX));
    add_connection_options(cmd, out.bootstrap, out.command_config);
    after_parse(cmd, [&out]() -> status {
        std::vector<std::string> states;
        for (auto& s : out.states)
            add_once(states, s);
        out.states = std::move(states);
        std::vector<int64_t> pids;
        for (int64_t p : out.producer_ids)
            add_once(pids, p);
        out.producer_ids = std::move(pids);
        return {};
    });
}

void define_txn_describe(CLI::App& cmd, txn_describe_args& out) {
    cmd.add_option("TRANSACTIONAL-ID", out.transactional_ids, "Transactional ids to describe")
        ->required()
        ->check(CLI::Validator(
            [](std::string& v) { return v.empty() ? std::string("empty TRANSACTIONAL-ID") : ""; },
            ""));
    add_connection_options(cmd, out.bootstrap, out.command_config);
    after_parse(cmd, [&out]() -> status {
        std::vector<std::string> unique;
        for (auto& id : out.transactional_ids)
            add_once(unique, id);
        out.transactional_ids = std::move(unique);
        return {};
    });
}

result<topic_create_args> parse_topic_create(const std::vector<std::string>& args) {
    return parse_with<topic_create_args>(args, define_topic_create);
}

result<topic_name_args> parse_topic_name(const std::vector<std::string>& args, bool want_name) {
    return parse_with<topic_name_args>(args, [want_name](CLI::App& app, topic_name_args& out) {
        define_topic_name(app, out, want_name);
    });
}

result<topic_alter_config_args> parse_topic_alter_config(const std::vector<std::string>& args) {
    return parse_with<topic_alter_config_args>(args, define_topic_alter_config);
}

result<topic_delete_records_args> parse_topic_delete_records(const std::vector<std::string>& args) {
    return parse_with<topic_delete_records_args>(args, define_topic_delete_records);
}

result<produce_args> parse_produce(const std::vector<std::string>& args) {
    return parse_with<produce_args>(args, define_produce);
}

result<consume_args> parse_consume(const std::vector<std::string>& args) {
    return parse_with<consume_args>(args, define_consume);
}

result<group_list_args> parse_group_list(const std::vector<std::string>& args) {
    return parse_with<group_list_args>(args, define_group_list);
}

result<group_describe_args> parse_group_describe(const std::vector<std::string>& args) {
    return parse_with<group_describe_args>(args, define_group_describe);
}

result<group_reset_args> parse_group_reset(const std::vector<std::string>& args) {
    return parse_with<group_reset_args>(args, define_group_reset);
}

result<group_delete_args> parse_group_delete(const std::vector<std::string>& args) {
    return parse_with<group_delete_args>(args, define_group_delete);
}

result<txn_list_args> parse_txn_list(const std::vector<std::string>& args) {
    return parse_with<txn_list_args>(args, define_txn_list);
}

result<txn_describe_args> parse_txn_describe(const std::vector<std::string>& args) {
    return parse_with<txn_describe_args>(args, define_txn_describe);
}

}  // namespace spate::cli
