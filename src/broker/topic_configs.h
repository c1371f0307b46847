#pragma once

// A topic's configs as DescribeConfigs / CreateTopics report them: every key
// of storage::topic_config_definitions() with its effective value, where it
// came from, and its synonyms (the chain override → broker default → built-in
// default, most specific first).

#include <cstdint>
#include <string>
#include <vector>

#include "storage/config.h"

namespace spate::broker {

// Kafka's DescribeConfigs ConfigSource values.
enum class config_source : int8_t {
    unknown = 0,
    dynamic_topic_config = 1,
    dynamic_broker_config = 2,
    dynamic_default_broker_config = 3,
    static_broker_config = 4,
    default_config = 5,
};

// Kafka's DescribeConfigs ConfigType values (v3+).
enum class config_kind : int8_t {
    unknown = 0,
    boolean = 1,
    string = 2,
    int_ = 3,
    short_ = 4,
    long_ = 5,
    double_ = 6,
    list = 7,
    class_ = 8,
    password = 9,
};

// Kafka's name of a config type ("BOOLEAN", "INT", ...).
const char* kind_name(config_kind k);

struct config_synonym {
    std::string name;
    std::string value;
    config_source source;
};

struct described_config {
    std::string name;
    std::string value;
    config_source source = config_source::default_config;
    config_kind kind = config_kind::string;
    bool read_only = false;
    std::string doc;  // empty: none
    std::vector<config_synonym> synonyms;
};

config_kind kind_of(storage::config_type t);

// Where the broker defaults a topic inherits come from, by broker key name
// (log.retention.ms, ...): the dynamic scopes and the properties file.
struct broker_default_layers {
    storage::config_map dynamic_broker;   // this broker's dynamic configs
    storage::config_map dynamic_default;  // the cluster-wide dynamic default
    storage::config_map static_file;      // the properties file
};

// Every topic config with its value, source and synonyms, Kafka's order:
// the topic's override (DYNAMIC_TOPIC_CONFIG), then, with `layers`,
// DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG and
// STATIC_BROKER_CONFIG from them; without, STATIC_BROKER_CONFIG from
// `broker_defaults`; then DEFAULT_CONFIG.
std::vector<described_config> describe_topic_configs(const storage::config_map& broker_defaults,
                                                     const storage::config_map& overrides,
                                                     const broker_default_layers* layers = nullptr);

}  // namespace spate::broker
