#include "broker/broker_config.h"
#include "broker/config_text.h"

#include <charconv>
#include <fstream>
#include <map>

#include "broker/config_keys.h"
#include "broker/config_keys_tls.h"

namespace spate::broker {

namespace {

// Kafka's broker-level names for topic configs whose name differs.
const std::map<std::string, std::string>& topic_to_broker_names() {
    static const std::map<std::string, std::string> m = {
        {"cleanup.policy", "log.cleanup.policy"},
        {"delete.retention.ms", "log.cleaner.delete.retention.ms"},
        {"file.delete.delay.ms", "log.segment.delete.delay.ms"},
        {"flush.bytes", "log.flush.interval.bytes"},
        {"flush.messages", "log.flush.interval.messages"},
        {"flush.ms", "log.flush.interval.ms"},
        {"index.interval.bytes", "log.index.interval.bytes"},
        {"local.retention.bytes", "log.local.retention.bytes"},
        {"local.retention.ms", "log.local.retention.ms"},
        {"max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms"},
        {"max.message.bytes", "message.max.bytes"},
        {"message.downconversion.enable", "log.message.downconversion.enable"},
        {"message.format.version", "log.message.format.version"},
        {"message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms"},
        {"message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms"},
        {"message.timestamp.difference.max.ms", "log.message.timestamp.difference.max.ms"},
        {"message.timestamp.type", "log.message.timestamp.type"},
        {"min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio"},
        {"min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms"},
        {"preallocate", "log.preallocate"},
        {"retention.bytes", "log.retention.bytes"},
        {"retention.ms", "log.retention.ms"},
        {"segment.bytes", "log.segment.bytes"},
        {"segment.index.bytes", "log.index.size.max.bytes"},
        {"segment.jitter.ms", "log.roll.jitter.ms"},
        {"segment.ms", "log.roll.ms"},
        {"spate.encryption", "spate.log.encryption"},
    };
    return m;
}

}  // namespace

std::string broker_config_name(const std::string& topic_config_name) {
    const auto& m = topic_to_broker_names();
    auto it = m.find(topic_config_name);
    return it == m.end() ? topic_config_name : it->second;
}

status apply_setting(broker_config& c, const std::string& key, const std::string& value) {
    if (const auto* k = find_broker_key(key)) {
        SPATE_TRY(k->apply(c, value));
    } else if (key.rfind("listener.name.", 0) == 0) {
        SPATE_TRY(apply_listener_override(c, key, value));
    } else if (storage::find_topic_config(key)) {
        SPATE_TRY(storage::validate_topic_config(key, value));
        c.topic_defaults[key] = value;
    } else {
        return make_error(errc::invalid_argument, "unknown configuration key '" + key + "'");
    }
    c.file_settings[key] = value;
    return {};
}

status load_properties(broker_config& c, const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return make_error(errc::io_error, "cannot read " + file.string());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        line = trim_blanks(line);
        if (line.empty() || line[0] == '#' || line[0] == '!') continue;
        auto eq = line.find_first_of("=:");
        if (eq == std::string::npos)
            return make_error(errc::invalid_argument,
                              file.string() + ":" + std::to_string(n) + ": expected key=value");
        auto s =
            apply_setting(c, trim_blanks(line.substr(0, eq)), trim_blanks(line.substr(eq + 1)));
        if (!s.ok())
            return make_error(errc::invalid_argument,
                              file.string() + ":" + std::to_string(n) + ": " + s.err().message);
    }
    return {};
}

status parse_host_port(const std::string& s, std::string& host, uint16_t& port) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos) return make_error(errc::invalid_argument, "expected HOST:PORT");
    host = s.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const std::string p = s.substr(colon + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc() || end != p.data() + p.size() || p.empty())
        return make_error(errc::invalid_argument, "port: invalid value '" + p + "'");
    return {};
}

}  // namespace spate::broker
