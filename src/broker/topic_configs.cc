#include "broker/topic_configs.h"

#include "broker/broker_config.h"

namespace spate::broker {

config_kind kind_of(storage::config_type t) {
    switch (t) {
        case storage::config_type::int_:
            return config_kind::int_;
        case storage::config_type::long_:
            return config_kind::long_;
        case storage::config_type::string_:
            return config_kind::string;
        case storage::config_type::list_:
            return config_kind::list;
        case storage::config_type::boolean_:
            return config_kind::boolean;
        case storage::config_type::double_:
            return config_kind::double_;
    }
    return config_kind::unknown;
}

const char* kind_name(config_kind k) {
    switch (k) {
        case config_kind::unknown:
            return "UNKNOWN";
        case config_kind::boolean:
            return "BOOLEAN";
        case config_kind::string:
            return "STRING";
        case config_kind::int_:
            return "INT";
        case config_kind::short_:
            return "SHORT";
        case config_kind::long_:
            return "LONG";
        case config_kind::double_:
            return "DOUBLE";
        case config_kind::list:
            return "LIST";
        case config_kind::class_:
            return "CLASS";
        case config_kind::password:
            return "PASSWORD";
    }
    return "UNKNOWN";
}

std::vector<described_config> describe_topic_configs(const storage::config_map& broker_defaults,
                                                     const storage::config_map& overrides,
                                                     const broker_default_layers* layers) {
    std::vector<described_config> out;
    for (const auto& d : storage::topic_config_definitions()) {
        described_config c;
        c.name = d.name;
        c.kind = kind_of(d.type);
        if (auto it = overrides.find(d.name); it != overrides.end())
            c.synonyms.push_back({d.name, it->second, config_source::dynamic_topic_config});
        const std::string broker_name = broker_config_name(d.name);
        const auto inherited = broker_defaults.find(d.name);
        const size_t before = c.synonyms.size();
        if (layers) {
            for (const auto& [map, source] :
                 {std::pair{&layers->dynamic_broker, config_source::dynamic_broker_config},
                  std::pair{&layers->dynamic_default, config_source::dynamic_default_broker_config},
                  std::pair{&layers->static_file, config_source::static_broker_config}}) {
                if (auto it = map->find(broker_name); it != map->end())
                    c.synonyms.push_back({broker_name, it->second, source});
            }
        }
        // No layer names it (none given, or set under another key such as
        // log.retention.hours): the effective default, as from the file.
        if (c.synonyms.size() == before && inherited != broker_defaults.end())
            c.synonyms.push_back(
                {broker_name, inherited->second, config_source::static_broker_config});
        c.synonyms.push_back(
            {broker_config_name(d.name), d.default_value, config_source::default_config});
        c.value = c.synonyms.front().value;
        c.source = c.synonyms.front().source;
        // Without an override the value is what the topic uses: the
        // effective broker default.
        if (c.source != config_source::dynamic_topic_config && inherited != broker_defaults.end())
            c.value = inherited->second;
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace spate::broker
