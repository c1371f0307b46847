#include "broker/broker_config.h"

#include <charconv>
#include <fstream>
#include <map>

namespace spate::broker {

namespace {

// Kafka's broker-level names for topic configs whose name differs.
const std::map<std::string, std::string>& topic_to_broker_names() {
    static const std::map<std::string, std::string> m = {
        {"cleanup.policy", "log.cleanup.policy"},
        {"delete.retention.ms", "log.cleaner.delete.retention.ms"},
        {"flush.bytes", "log.flush.interval.bytes"},
        {"flush.messages", "log.flush.interval.messages"},
        {"flush.ms", "log.flush.interval.ms"},
        {"index.interval.bytes", "log.index.interval.bytes"},
        {"max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms"},
        {"max.message.bytes", "message.max.bytes"},
        {"message.timestamp.type", "log.message.timestamp.type"},
        {"min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio"},
        {"min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms"},
        {"retention.bytes", "log.retention.bytes"},
        {"retention.ms", "log.retention.ms"},
        {"segment.bytes", "log.segment.bytes"},
        {"segment.index.bytes", "log.index.size.max.bytes"},
        {"segment.ms", "log.roll.ms"},
    };
    return m;
}

template <typename T>
status parse_int(const std::string& key, const std::string& v, T& out, T min, T max) {
    T x{};
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size() || x < min || x > max)
        return make_error(errc::invalid_argument, key + ": invalid value '" + v + "'");
    out = x;
    return {};
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

status set_topic_default(broker_config& c, const std::string& key, const std::string& topic_name,
                         const std::string& value) {
    auto s = storage::validate_topic_config(topic_name, value);
    if (!s.ok()) return make_error(errc::invalid_argument, key + ": " + s.err().message);
    c.topic_defaults[topic_name] = value;
    return {};
}

}  // namespace

std::string broker_config_name(const std::string& topic_config_name) {
    const auto& m = topic_to_broker_names();
    auto it = m.find(topic_config_name);
    return it == m.end() ? topic_config_name : it->second;
}

status apply_setting(broker_config& c, const std::string& key, const std::string& value) {
    c.file_settings[key] = value;
    if (key == "auto.create.topics.enable") {
        if (value != "true" && value != "false")
            return make_error(errc::invalid_argument, key + ": expected true or false");
        c.auto_create_topics = value == "true";
        return {};
    }
    if (key == "num.partitions")
        return parse_int<int32_t>(key, value, c.num_partitions, 1, 1 << 20);
    if (key == "socket.request.max.bytes")
        return parse_int<size_t>(key, value, c.socket_request_max_bytes, 64, size_t{1} << 31);
    if (key == "node.id" || key == "broker.id")
        return parse_int<int32_t>(key, value, c.node_id, 0, INT32_MAX);
    if (key == "num.network.threads" || key == "spate.io.threads")
        return parse_int<int>(key, value, c.io_threads, 1, 64);
    if (key == "max.incremental.fetch.session.cache.slots")
        return parse_int<int32_t>(key, value, c.max_fetch_sessions, 0, 1 << 20);
    if (key == "group.initial.rebalance.delay.ms")
        return parse_int<int64_t>(key, value, c.group_initial_rebalance_delay_ms, 0, INT32_MAX);
    if (key == "group.min.session.timeout.ms")
        return parse_int<int32_t>(key, value, c.group_min_session_timeout_ms, 1, INT32_MAX);
    if (key == "group.max.session.timeout.ms")
        return parse_int<int32_t>(key, value, c.group_max_session_timeout_ms, 1, INT32_MAX);
    if (key == "offsets.retention.minutes") {
        int64_t minutes = 0;
        SPATE_TRY(parse_int<int64_t>(key, value, minutes, 1, INT32_MAX));
        c.offsets_retention_ms = minutes * 60000;
        return {};
    }
    if (key == "offsets.retention.check.interval.ms")
        return parse_int<int64_t>(key, value, c.offsets_retention_check_interval_ms, 1, INT64_MAX);
    if (key == "transaction.max.timeout.ms")
        return parse_int<int32_t>(key, value, c.transaction_max_timeout_ms, 1, INT32_MAX);
    if (key == "transactional.id.expiration.ms")
        return parse_int<int64_t>(key, value, c.transactional_id_expiration_ms, 1, INT32_MAX);
    if (key == "log.cleaner.enable") {
        if (value != "true" && value != "false")
            return make_error(errc::invalid_argument, key + ": expected true or false");
        c.log_cleaner_enable = value == "true";
        return {};
    }
    if (key == "log.cleaner.backoff.ms")
        return parse_int<int64_t>(key, value, c.log_cleaner_backoff_ms, 1, INT32_MAX);
    if (key == "log.cleaner.dedupe.buffer.size")
        return parse_int<size_t>(key, value, c.log_cleaner_dedupe_buffer_size, size_t{1} << 20,
                                 size_t{1} << 40);
    if (key == "spate.max.inflight.requests")
        return parse_int<size_t>(key, value, c.max_inflight_requests, 1, 1 << 20);
    if (key == "log.dirs" || key == "log.dir") {
        c.data_dir = value;
        return {};
    }
    // Hour/minute variants of the time-based topic defaults.
    struct scaled {
        const char* key;
        const char* topic;
        int64_t factor;
    };
    static const scaled k_scaled[] = {
        {"log.retention.hours", "retention.ms", 3600000},
        {"log.retention.minutes", "retention.ms", 60000},
        {"log.roll.hours", "segment.ms", 3600000},
    };
    for (const auto& s : k_scaled) {
        if (key != s.key) continue;
        int64_t n = 0;
        SPATE_TRY(parse_int<int64_t>(key, value, n, -1, INT64_MAX / s.factor));
        return set_topic_default(c, key, s.topic, std::to_string(n < 0 ? -1 : n * s.factor));
    }
    for (const auto& [topic_name, broker_name] : topic_to_broker_names())
        if (key == broker_name) return set_topic_default(c, key, topic_name, value);
    if (storage::find_topic_config(key)) return set_topic_default(c, key, key, value);
    return {};  // unknown keys are kept verbatim for DescribeConfigs only
}

status load_properties(broker_config& c, const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return make_error(errc::io_error, "cannot read " + file.string());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == '!') continue;
        auto eq = line.find_first_of("=:");
        if (eq == std::string::npos)
            return make_error(errc::invalid_argument,
                              file.string() + ":" + std::to_string(n) + ": expected key=value");
        auto s = apply_setting(c, trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
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
    return parse_int<uint16_t>("port", s.substr(colon + 1), port, 0, 65535);
}

}  // namespace spate::broker
