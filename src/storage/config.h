#pragma once

// Per-topic log configuration with Kafka's names and defaults. A topic's
// effective config is the broker defaults overlaid with the topic's overrides;
// both are validated here so that nothing invalid ever reaches a log.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace spate::storage {

using config_map = std::map<std::string, std::string>;

// The topic config turning encryption at rest on (docs/formats/encryption.md).
inline constexpr const char* k_encryption_config = "spate.encryption";

enum class config_type { int_, long_, string_, list_, boolean_, double_ };

struct config_definition {
    std::string name;
    config_type type;
    std::string default_value;
    int64_t min = 0;                        // numeric lower bound (inclusive)
    int64_t max = INT64_MAX;                // numeric upper bound (inclusive)
    std::vector<std::string> valid_values;  // for strings / list items; empty = any
    // Extra check for values the type alone does not describe (e.g. a decimal
    // ratio's range); nullptr when none.
    status (*check)(const std::string& name, const std::string& value) = nullptr;
    // The valid values as text when `check` decides them; empty otherwise.
    std::string range;
    // One line for DescribeConfigs and docs/configuration.md.
    std::string doc;
};

// Every topic-level config key Spate accepts, in a stable order.
const std::vector<config_definition>& topic_config_definitions();
const config_definition* find_topic_config(const std::string& name);

// Validates one key/value pair (unknown key, wrong type, out of range →
// invalid_argument naming the key and, for a bad value, the valid range).
status validate_topic_config(const std::string& name, const std::string& value);

// The valid values of a definition as text: "[0, 2147483647]", "[1, ...]"
// (no upper bound but the type's), "delete, compact", ...
std::string range_text(const config_definition& d);

// "[min, max]", or "[min, ...]" when max is INT32_MAX or INT64_MAX.
std::string integer_range_text(int64_t min, int64_t max);

// The error every config check returns for a bad value:
// "KEY: invalid value 'VALUE' (valid: RANGE)".
status invalid_config_value(const std::string& name, const std::string& value,
                            const std::string& range);

// Confluent Server's broker-side schema id validation
// (confluent.{key,value}.schema.validation and
// confluent.{key,value}.subject.name.strategy). Storage only carries these;
// the broker's Produce applies them.
enum class subject_name_strategy : uint8_t { topic_name, record_name, topic_record_name };

// The config values naming each strategy (Confluent's serializer class names).
inline constexpr const char* k_topic_name_strategy =
    "io.confluent.kafka.serializers.subject.TopicNameStrategy";
inline constexpr const char* k_record_name_strategy =
    "io.confluent.kafka.serializers.subject.RecordNameStrategy";
inline constexpr const char* k_topic_record_name_strategy =
    "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy";

struct schema_validation_config {
    bool key = false;    // validate record keys
    bool value = false;  // validate record values
    subject_name_strategy key_strategy = subject_name_strategy::topic_name;
    subject_name_strategy value_strategy = subject_name_strategy::topic_name;

    bool enabled() const { return key || value; }
};

struct topic_config {
    int64_t segment_bytes = 1 << 30;
    int64_t segment_ms = 7LL * 24 * 3600 * 1000;
    int64_t retention_ms = 7LL * 24 * 3600 * 1000;  // -1: keep forever
    int64_t retention_bytes = -1;                   // -1: no size limit
    int64_t flush_messages = INT64_MAX;             // sync after this many unsynced records
    int64_t flush_bytes = INT64_MAX;                // sync after this many unsynced bytes
    int64_t flush_ms = INT64_MAX;                   // sync data older than this
    int64_t index_interval_bytes = 4096;
    int64_t max_message_bytes = 1048588;
    bool cleanup_compact = false;
    bool cleanup_delete = true;
    bool log_append_time = false;  // message.timestamp.type=LogAppendTime
    int64_t delete_retention_ms = 24LL * 3600 * 1000;
    int64_t min_compaction_lag_ms = 0;
    int64_t max_compaction_lag_ms = INT64_MAX;
    double min_cleanable_dirty_ratio = 0.5;
    std::string compression_type = "producer";
    // message.downconversion.enable: Fetch v0-v3 may down-convert this
    // topic's batches to magic 0/1 (else UNSUPPORTED_VERSION, as Kafka).
    bool message_downconversion_enable = true;
    schema_validation_config schema_validation;
    // spate.encryption: data batches are stored sealed (storage/sealed_batch.h).
    bool encryption = false;

    // Overrides (topic-level) that produced this config, kept for DescribeConfigs.
    config_map overrides;

    // Resolves broker defaults + topic overrides; every entry is validated.
    static result<topic_config> resolve(const config_map& broker_defaults,
                                        const config_map& overrides);
};

}  // namespace spate::storage
