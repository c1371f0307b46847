#include "storage/config.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

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
    auto v = parse_ratio(value);
    if (!v.ok()) return make_error(errc::invalid_argument, name + ": " + v.err().message);
    return {};
}

std::vector<config_definition> make_definitions() {
    using t = config_type;
    return {
        {"cleanup.policy", t::list_, "delete", 0, 0, {"delete", "compact"}},
        {"compression.type",
         t::string_,
         "producer",
         0,
         0,
         {"producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"}},
        {"delete.retention.ms", t::long_, std::to_string(k_day_ms), 0, INT64_MAX, {}},
        {"flush.bytes", t::long_, std::to_string(INT64_MAX), 1, INT64_MAX, {}},
        {"flush.messages", t::long_, std::to_string(INT64_MAX), 1, INT64_MAX, {}},
        {"flush.ms", t::long_, std::to_string(INT64_MAX), 0, INT64_MAX, {}},
        {"index.interval.bytes", t::int_, "4096", 0, INT32_MAX, {}},
        {"max.message.bytes", t::int_, "1048588", 0, INT32_MAX, {}},
        {"message.timestamp.type", t::string_, "CreateTime", 0, 0, {"CreateTime", "LogAppendTime"}},
        {"max.compaction.lag.ms", t::long_, std::to_string(INT64_MAX), 1, INT64_MAX, {}},
        {"min.cleanable.dirty.ratio", t::double_, "0.5", 0, 0, {}, check_ratio},
        {"min.compaction.lag.ms", t::long_, "0", 0, INT64_MAX, {}},
        {"min.insync.replicas", t::int_, "1", 1, INT32_MAX, {}},
        {"retention.bytes", t::long_, "-1", -1, INT64_MAX, {}},
        {"retention.ms", t::long_, std::to_string(k_week_ms), -1, INT64_MAX, {}},
        {"segment.bytes", t::int_, std::to_string(1 << 30), 14, INT32_MAX, {}},
        {"segment.index.bytes", t::int_, std::to_string(10 << 20), 4, INT32_MAX, {}},
        {"segment.ms", t::long_, std::to_string(k_week_ms), 1, INT64_MAX, {}},
    };
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

bool allowed(const config_definition& d, const std::string& v) {
    if (d.valid_values.empty()) return true;
    for (const auto& ok : d.valid_values) {
        if (ok == v) return true;
    }
    return false;
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

status validate_topic_config(const std::string& name, const std::string& value) {
    const auto* d = find_topic_config(name);
    if (!d) return make_error(errc::invalid_argument, "unknown topic config '" + name + "'");
    switch (d->type) {
        case config_type::int_:
        case config_type::long_: {
            auto v = parse_int(value);
            if (!v.ok()) return make_error(errc::invalid_argument, name + ": " + v.err().message);
            if (*v < d->min || *v > d->max) {
                return make_error(errc::invalid_argument,
                                  name + ": " + value + " is out of range [" +
                                      std::to_string(d->min) + ", " + std::to_string(d->max) + "]");
            }
            return {};
        }
        case config_type::boolean_:
            if (value != "true" && value != "false") {
                return make_error(errc::invalid_argument, name + ": expected true or false");
            }
            return {};
        case config_type::string_:
            if (!allowed(*d, value)) {
                return make_error(errc::invalid_argument, name + ": invalid value '" + value + "'");
            }
            if (d->check) return d->check(name, value);
            return {};
        case config_type::double_:
            if (d->check) return d->check(name, value);
            return {};
        case config_type::list_:
            for (const auto& item : split_list(value)) {
                if (item.empty() || !allowed(*d, item)) {
                    return make_error(errc::invalid_argument,
                                      name + ": invalid value '" + value + "'");
                }
            }
            return {};
    }
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
    c.cleanup_compact = false;
    c.cleanup_delete = false;
    for (const auto& p : split_list(effective["cleanup.policy"])) {
        if (p == "compact") c.cleanup_compact = true;
        if (p == "delete") c.cleanup_delete = true;
    }
    c.overrides = overrides;
    return c;
}

}  // namespace spate::storage
