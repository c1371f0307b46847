#pragma once

// The one table of broker configuration keys. Each key has Kafka's name, a
// DescribeConfigs type, its valid range as text, a one-line doc, whether Kafka
// can change it at run time, and how it reaches the broker: a broker_config
// field, or a topic config's broker-wide default (log.retention.ms →
// retention.ms in broker_config::topic_defaults). load_properties /
// apply_setting, DescribeConfigs on the BROKER resource and
// docs/configuration.md all read this table.
//
// Defaults are not repeated here: a field key's default is its value in a
// default-constructed broker_config, a topic-default key's is storage's
// default for that topic config. The table is immutable after first use and
// safe to read from any thread.

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "broker/broker_config.h"
#include "broker/topic_configs.h"

namespace spate::broker {

struct broker_key {
    std::string name;
    config_kind kind = config_kind::string;
    std::string range;  // valid values as text, for docs and errors
    std::string doc;    // one line
    // Kafka can change it at run time (per broker or cluster-wide).
    // DescribeConfigs reports the other keys read-only. Spate itself reads
    // every key once, at start-up.
    bool dynamic = false;
    // Non-empty: the key sets this topic config's broker-wide default.
    std::string topic_config;
    // Parses `value` into `c`; errc::invalid_argument naming the key and the
    // valid range on a bad value.
    std::function<status(broker_config& c, const std::string& value)> apply;
    // The key's value in `c`, as DescribeConfigs reports it.
    std::function<std::string(const broker_config& c)> value;
    // Whether `c` got the value from the configuration (else it is the default).
    std::function<bool(const broker_config& c)> is_set;
};

// Every broker key, in a stable order: broker settings first, then the
// broker-wide topic defaults in storage::topic_config_definitions() order.
const std::vector<broker_key>& broker_keys();

// The key named `name`, or nullptr. Topic config names (retention.ms) are
// not broker keys; apply_setting accepts them separately.
const broker_key* find_broker_key(const std::string& name);

// The key's value in a default-constructed broker_config.
std::string default_value(const broker_key& k);

// Every key with its value in `c`: STATIC_BROKER_CONFIG when `c` got it from
// the configuration (synonyms: that value, then the default), DEFAULT_CONFIG
// otherwise; read-only unless Kafka marks it dynamic; with its doc.
std::vector<described_config> describe_broker_configs(const broker_config& c);

}  // namespace spate::broker
