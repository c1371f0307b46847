#include "storage/config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <regex>

namespace spate::storage {

namespace {
constexpr int64_t k_week_ms = 7LL * 24 * 3600 * 1000;
constexpr int64_t k_day_ms = 24LL * 3600 * 1000;

// A decimal in [0, 1], as Kafka's min.cleanable.dirty.ratio.
result<double> parse_ratio(const std::string& s) {
    if (s.empty() || s.size() > 32 || s.find_first_not_of("0123456789.eE+-") != std::string::npos)
        return make_error(errc::invalid_argument, "'" + s + "' is not a number");
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v))
        return make_error(errc::invalid_argument, "'" + s + "' is not a number");
    if (v < 0 || v > 1) return make_error(errc::invalid_argument, s + " is out of range [0, 1]");
    return v;
}

status check_ratio(const std::string& name, const std::string& value) {
    if (!parse_ratio(value).ok()) return invalid_config_value(name, value, "[0, 1]");
    return {};
}

// Kafka's topic configs with Kafka's defaults (and Confluent Server's schema
// validation configs); docs are one line each. In name order, split in three
// (cleanup.policy … confluent.value.subject.name.strategy, delete.retention.ms
// … message.timestamp.type, then max.compaction.lag.ms … segment.ms) to keep
// functions short.
std::string max64() {
    return std::to_string(INT64_MAX);
}
using t = config_type;

const std::vector<std::string>& strategy_names() {
    static const std::vector<std::string> names = {k_topic_name_strategy, k_record_name_strategy,
                                                   k_topic_record_name_strategy};
    return names;
}

config_definition schema_validation_definition(const std::string& what) {
    return {.name = "confluent." + what + ".schema.validation",
            .type = t::boolean_,
            .default_value = "false",
            .doc = "Refuse batches unless each record " + what +
                   " starts with magic byte 0 and a schema id registered under the " + what +
                   " subject name strategy's subject."};
}

config_definition strategy_definition(const std::string& what) {
    return {.name = "confluent." + what + ".subject.name.strategy",
            .type = t::string_,
            .default_value = k_topic_name_strategy,
            .valid_values = strategy_names(),
            .doc = "The subject schema validation looks " + what +
                   " schema ids up in: TopicNameStrategy {topic}-" + what +
                   ", RecordNameStrategy the schema's record name, TopicRecordNameStrategy "
                   "{topic}-{record name}."};
}

std::vector<config_definition> definitions_c_to_co() {
    return {
        {.name = "cleanup.policy",
         .type = t::list_,
         .default_value = "delete",
         .valid_values = {"delete", "compact"},
         .doc = "delete drops old segments by retention; compact keeps the latest record per key; "
                "both may be listed."},
        {.name = "compression.type",
         .type = t::string_,
         .default_value = "producer",
         .valid_values = {"producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"},
         .doc = "Accepted for Kafka compatibility; Spate stores batches as the producer "
                "compressed them."},
        schema_validation_definition("key"),
        strategy_definition("key"),
        schema_validation_definition("value"),
        strategy_definition("value"),
    };
}

std::vector<config_definition> definitions_d_to_me() {
    return {
        {.name = "delete.retention.ms",
         .type = t::long_,
         .default_value = std::to_string(k_day_ms),
         .min = 0,
         .doc = "How long compaction keeps tombstones (records with a null value)."},
        {.name = "flush.bytes",
         .type = t::long_,
         .default_value = max64(),
         .min = 1,
         .doc = "Sync a partition to disk once this many bytes are unsynced."},
        {.name = "flush.messages",
         .type = t::long_,
         .default_value = max64(),
         .min = 1,
         .doc = "Sync a partition to disk once this many records are unsynced."},
        {.name = "flush.ms",
         .type = t::long_,
         .default_value = max64(),
         .min = 0,
         .doc = "Sync a partition to disk once its oldest unsynced data is this old."},
        {.name = "index.interval.bytes",
         .type = t::int_,
         .default_value = "4096",
         .min = 0,
         .max = INT32_MAX,
         .doc = "Bytes of log between two entries of the offset and time indexes."},
        {.name = "max.message.bytes",
         .type = t::int_,
         .default_value = "1048588",
         .min = 0,
         .max = INT32_MAX,
         .doc = "Largest record batch a producer may append."},
        {.name = "message.timestamp.type",
         .type = t::string_,
         .default_value = "CreateTime",
         .valid_values = {"CreateTime", "LogAppendTime"},
         .doc = "CreateTime keeps the producer's timestamps; LogAppendTime stamps each batch "
                "with the broker's clock."},
    };
}

std::vector<config_definition> definitions_ma_to_s() {
    return {
        {.name = "max.compaction.lag.ms",
         .type = t::long_,
         .default_value = max64(),
         .min = 1,
         .doc = "Longest time a record may stay uncompacted in a compacted topic."},
        {.name = "min.cleanable.dirty.ratio",
         .type = t::double_,
         .default_value = "0.5",
         .check = check_ratio,
         .range = "[0, 1]",
         .doc = "Compact a log once this share of it is not compacted yet."},
        {.name = "min.compaction.lag.ms",
         .type = t::long_,
         .default_value = "0",
         .min = 0,
         .doc = "Shortest time a record stays uncompacted in a compacted topic."},
        {.name = "min.insync.replicas",
         .type = t::int_,
         .default_value = "1",
         .min = 1,
         .max = INT32_MAX,
         .doc = "Accepted for Kafka compatibility; Spate keeps one replica."},
        {.name = "retention.bytes",
         .type = t::long_,
         .default_value = "-1",
         .min = -1,
         .doc = "Delete the oldest segments while a partition is larger than this; -1: no "
                "size limit."},
        {.name = "retention.ms",
         .type = t::long_,
         .default_value = std::to_string(k_week_ms),
         .min = -1,
         .doc = "Delete segments older than this; -1 keeps data forever."},
        {.name = "segment.bytes",
         .type = t::int_,
         .default_value = std::to_string(1 << 30),
         .min = 14,
         .max = INT32_MAX,
         .doc = "Roll to a new segment once the active one reaches this size."},
        {.name = "segment.index.bytes",
         .type = t::int_,
         .default_value = std::to_string(10 << 20),
         .min = 4,
         .max = INT32_MAX,
         .doc = "Accepted for Kafka compatibility; Spate's index files do not use it."},
        {.name = "segment.ms",
         .type = t::long_,
         .default_value = std::to_string(k_week_ms),
         .min = 1,
         .doc = "Roll to a new segment once the active one is this old."},
        {.name = std::string(k_encryption_config),
         .type = t::boolean_,
         .default_value = "false",
         .doc = "Store the topic's record batches encrypted (AES-256-GCM, "
                "spate.encryption.key.file); fixed when the topic is created."},
    };
}

std::string level_range(int64_t min, int64_t max, int64_t also) {
    std::string r = "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
    if (also < min || also > max) r += " or " + std::to_string(also);
    return r;
}

result<int64_t> parse_int(const std::string& s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
        return make_error(errc::invalid_argument, "'" + s + "' is not an integer");
    }
    return v;
}

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t comma = s.find(',', start);
        if (comma == std::string::npos) comma = s.size();
        std::string item = s.substr(start, comma - start);
        while (!item.empty() && item.front() == ' ')
            item.erase(item.begin());
        while (!item.empty() && item.back() == ' ')
            item.pop_back();
        out.push_back(item);
        start = comma + 1;
    }
    return out;
}

subject_name_strategy strategy_of(const std::string& name) {
    if (name == k_record_name_strategy) return subject_name_strategy::record_name;
    if (name == k_topic_record_name_strategy) return subject_name_strategy::topic_record_name;
    return subject_name_strategy::topic_name;
}

// From validated effective values.
schema_validation_config resolve_schema_validation(config_map& effective) {
    schema_validation_config v;
    v.key = effective["confluent.key.schema.validation"] == "true";
    v.value = effective["confluent.value.schema.validation"] == "true";
    v.key_strategy = strategy_of(effective["confluent.key.subject.name.strategy"]);
    v.value_strategy = strategy_of(effective["confluent.value.subject.name.strategy"]);
    return v;
}

bool allowed(const config_definition& d, const std::string& v) {
    if (d.valid_values.empty()) return true;
    for (const auto& ok : d.valid_values) {
        if (ok == v) return true;
    }
    return false;
}
// An integer in [min, max] or exactly `also` (gzip's -1: the codec's default).
template <int64_t min, int64_t max, int64_t also>
status check_level(const std::string& name, const std::string& value) {
    auto v = parse_int(value);
    if (!v.ok() || ((*v < min || *v > max) && *v != also))
        return invalid_config_value(name, value, level_range(min, max, also));
    return {};
}

// Kafka's message.format.version values: "0.10.2", "2.8", "3.0-IV1", ...
status check_format_version(const std::string& name, const std::string& value) {
    static const std::regex k_version(R"(\d+\.\d+(\.\d+)?(-IV\d+)?)");
    if (!std::regex_match(value, k_version))
        return invalid_config_value(name, value, "a Kafka version such as 3.0-IV1");
    return {};
}

// Topic configs Kafka 3.9 accepts that change nothing in Spate (replication,
// tiered storage, deprecated message-format settings, preallocation, codec
// levels, timestamp bounds): accepted, validated as Kafka does, and
// described, so that tools and clients written against Kafka run unchanged.
std::vector<config_definition> definitions_accepted_only() {
    const std::string ignored = " Accepted for Kafka compatibility; Spate ignores it.";
    return {
        {.name = "compression.gzip.level",
         .type = t::int_,
         .default_value = "-1",
         .min = -1,
         .max = 9,
         .check = check_level<1, 9, -1>,
         .range = "[1, 9] or -1",
         .doc = "Gzip level for compression.type=gzip." + ignored},
        {.name = "compression.lz4.level",
         .type = t::int_,
         .default_value = "9",
         .min = 1,
         .max = 17,
         .range = "[1, 17]",
         .doc = "LZ4 level for compression.type=lz4." + ignored},
        {.name = "compression.zstd.level",
         .type = t::int_,
         .default_value = "3",
         .min = -131072,
         .max = 22,
         .range = "[-131072, 22]",
         .doc = "Zstd level for compression.type=zstd." + ignored},
        {.name = "file.delete.delay.ms",
         .type = t::long_,
         .default_value = "60000",
         .min = 0,
         .doc = "Delay before a deleted segment's files are removed." + ignored},
        {.name = "follower.replication.throttled.replicas",
         .type = t::list_,
         .default_value = "",
         .doc = "Replicas throttled on followers." + ignored},
        {.name = "leader.replication.throttled.replicas",
         .type = t::list_,
         .default_value = "",
         .doc = "Replicas throttled on the leader." + ignored},
        {.name = "local.retention.bytes",
         .type = t::long_,
         .default_value = "-2",
         .min = -2,
         .doc = "Tiered storage: local bytes kept." + ignored},
        {.name = "local.retention.ms",
         .type = t::long_,
         .default_value = "-2",
         .min = -2,
         .doc = "Tiered storage: local time kept." + ignored},
        {.name = "message.downconversion.enable",
         .type = t::boolean_,
         .default_value = "true",
         .doc = "Deprecated: whether Fetch v0-v3 may down-convert record batches to the "
                "magic 0/1 formats old clients read (false: UNSUPPORTED_VERSION)."},
        {.name = "message.format.version",
         .type = t::string_,
         .default_value = "3.0-IV1",
         .check = check_format_version,
         .range = "a Kafka version such as 3.0-IV1",
         .doc = "Deprecated: the message format of the log (always v2 in Spate)." + ignored},
        {.name = "message.timestamp.after.max.ms",
         .type = t::long_,
         .default_value = max64(),
         .min = 0,
         .doc = "Largest allowed lead of a record timestamp over the broker's clock." + ignored},
        {.name = "message.timestamp.before.max.ms",
         .type = t::long_,
         .default_value = max64(),
         .min = 0,
         .doc = "Largest allowed lag of a record timestamp behind the broker's clock." + ignored},
        {.name = "message.timestamp.difference.max.ms",
         .type = t::long_,
         .default_value = max64(),
         .min = 0,
         .doc = "Deprecated: largest allowed timestamp difference." + ignored},
        {.name = "preallocate",
         .type = t::boolean_,
         .default_value = "false",
         .doc = "Preallocate segment files." + ignored},
        {.name = "remote.log.copy.disable",
         .type = t::boolean_,
         .default_value = "false",
         .doc = "Tiered storage: stop copying segments." + ignored},
        {.name = "remote.log.delete.on.disable",
         .type = t::boolean_,
         .default_value = "false",
         .doc = "Tiered storage: delete remote data when disabled." + ignored},
        {.name = "remote.storage.enable",
         .type = t::boolean_,
         .default_value = "false",
         .doc = "Tiered storage for the topic." + ignored},
        {.name = "segment.jitter.ms",
         .type = t::long_,
         .default_value = "0",
         .min = 0,
         .doc = "Random jitter subtracted from segment.ms." + ignored},
        {.name = "unclean.leader.election.enable",
         .type = t::boolean_,
         .default_value = "false",
         .doc = "Elect out-of-sync replicas as leader." + ignored},
    };
}

std::vector<config_definition> make_definitions() {
    auto defs = definitions_c_to_co();
    for (auto* more : {&definitions_d_to_me, &definitions_ma_to_s, &definitions_accepted_only})
        for (auto& d : more())
            defs.push_back(std::move(d));
    std::stable_sort(defs.begin(), defs.end(),
                     [](const auto& a, const auto& b) { return a.name < b.name; });
    return defs;
}

}  // namespace

const std::vector<config_definition>& topic_config_definitions() {
    static const std::vector<config_definition> defs = make_definitions();
    return defs;
}

const config_definition* find_topic_config(const std::string& name) {
    for (const auto& d : topic_config_definitions()) {
        if (d.name == name) return &d;
    }
    return nullptr;
}

std::string integer_range_text(int64_t min, int64_t max) {
    std::string hi = max == INT32_MAX || max == INT64_MAX ? "..." : std::to_string(max);
    return "[" + std::to_string(min) + ", " + hi + "]";
}

std::string range_text(const config_definition& d) {
    if (!d.range.empty()) return d.range;
    switch (d.type) {
        case config_type::int_:
        case config_type::long_:
            return integer_range_text(d.min, d.max);
        case config_type::boolean_:
            return "true, false";
        case config_type::string_:
        case config_type::list_:
        case config_type::double_: {
            std::string out;
            for (const auto& v : d.valid_values)
                out += (out.empty() ? "" : ", ") + v;
            return out.empty() ? "any" : out;
        }
    }
    return "any";
}

status invalid_config_value(const std::string& name, const std::string& value,
                            const std::string& range) {
    return make_error(errc::invalid_argument,
                      name + ": invalid value '" + value + "' (valid: " + range + ")");
}

status validate_topic_config(const std::string& name, const std::string& value) {
    const auto* d = find_topic_config(name);
    if (!d) return make_error(errc::invalid_argument, "unknown topic config '" + name + "'");
    bool ok = true;
    switch (d->type) {
        case config_type::int_:
        case config_type::long_: {
            auto v = parse_int(value);
            ok = v.ok() && *v >= d->min && *v <= d->max;
            break;
        }
        case config_type::boolean_:
            ok = value == "true" || value == "false";
            break;
        case config_type::string_:
        case config_type::double_:
            ok = allowed(*d, value);
            break;
        case config_type::list_:
            // Lists of free-form items may be empty (Kafka's throttled replicas).
            if (value.empty() && d->valid_values.empty()) break;
            for (const auto& item : split_list(value))
                ok = ok && !item.empty() && allowed(*d, item);
            break;
    }
    if (!ok) return invalid_config_value(name, value, range_text(*d));
    if (d->check) return d->check(name, value);
    return {};
}

result<topic_config> topic_config::resolve(const config_map& broker_defaults,
                                           const config_map& overrides) {
    config_map effective;
    for (const auto& d : topic_config_definitions())
        effective[d.name] = d.default_value;
    for (const auto* layer : {&broker_defaults, &overrides}) {
        for (const auto& [k, v] : *layer) {
            SPATE_TRY(validate_topic_config(k, v));
            // Its broker default applies when a topic is created (the log
            // manager pins it as an override), never to existing topics.
            if (layer == &broker_defaults && k == k_encryption_config) continue;
            effective[k] = v;
        }
    }
    auto num = [&](const char* k) { return parse_int(effective[k]).value(); };
    topic_config c;
    c.segment_bytes = num("segment.bytes");
    c.segment_ms = num("segment.ms");
    c.retention_ms = num("retention.ms");
    c.retention_bytes = num("retention.bytes");
    c.flush_messages = num("flush.messages");
    c.flush_bytes = num("flush.bytes");
    c.flush_ms = num("flush.ms");
    c.index_interval_bytes = num("index.interval.bytes");
    c.max_message_bytes = num("max.message.bytes");
    c.delete_retention_ms = num("delete.retention.ms");
    c.min_compaction_lag_ms = num("min.compaction.lag.ms");
    c.max_compaction_lag_ms = num("max.compaction.lag.ms");
    c.min_cleanable_dirty_ratio = parse_ratio(effective["min.cleanable.dirty.ratio"]).value();
    c.compression_type = effective["compression.type"];
    c.log_append_time = effective["message.timestamp.type"] == "LogAppendTime";
    c.message_downconversion_enable = effective["message.downconversion.enable"] == "true";
    c.cleanup_compact = false;
    c.cleanup_delete = false;
    for (const auto& p : split_list(effective["cleanup.policy"])) {
        if (p == "compact") c.cleanup_compact = true;
        if (p == "delete") c.cleanup_delete = true;
    }
    c.schema_validation = resolve_schema_validation(effective);
    c.encryption = effective[std::string(k_encryption_config)] == "true";
    c.overrides = overrides;
    return c;
}

}  // namespace spate::storage
