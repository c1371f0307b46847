#include "broker/config_keys.h"
#include "broker/config_text.h"

#include "broker/config_keys_acl.h"
#include "broker/config_keys_encryption.h"
#include "broker/config_keys_http.h"
#include "broker/config_keys_pgwire.h"
#include "broker/config_keys_tls.h"

#include <charconv>
#include <cstdint>

namespace spate::broker {

namespace {

constexpr bool k_dynamic = true;
constexpr bool k_read_only = false;
constexpr const char* k_listener_range = "NAME://HOST:PORT[,...]";

template <typename T>
bool parse_integer(const std::string& s, T& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// An integer field; `scale` converts the key's unit to the field's
// (offsets.retention.minutes → offsets_retention_ms).
template <typename T>
broker_key integer(const std::string& name, config_kind kind, T broker_config::*field, T min, T max,
                   bool dynamic, const std::string& doc, T scale = 1) {
    std::string range =
        storage::integer_range_text(static_cast<int64_t>(min), static_cast<int64_t>(max));
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        T x{};
        if (!parse_integer(v, x) || x < min || x > max)
            return storage::invalid_config_value(name, v, range);
        c.*field = x * scale;
        return {};
    };
    auto value = [=](const broker_config& c) { return std::to_string(c.*field / scale); };
    return {name, kind, range, doc, dynamic, "", apply, value, in_file(name)};
}

broker_key boolean(const std::string& name, bool broker_config::*field, bool dynamic,
                   const std::string& doc) {
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        if (v != "true" && v != "false")
            return storage::invalid_config_value(name, v, "true, false");
        c.*field = v == "true";
        return {};
    };
    auto value = [=](const broker_config& c) { return c.*field ? "true" : "false"; };
    return {name,  config_kind::boolean, "true, false", doc, dynamic, "", apply,
            value, in_file(name)};
}

broker_key data_dir(const std::string& name, const std::string& doc) {
    auto apply = [](broker_config& c, const std::string& v) -> status {
        c.data_dir = v;
        return {};
    };
    auto value = [](const broker_config& c) { return c.data_dir.string(); };
    return {name,  config_kind::string, "a directory", doc, k_read_only, "", apply,
            value, in_file(name)};
}

// `listeners` or `advertised.listeners` (listeners.h). The first entry also
// sets listen_host/listen_port (or advertised_host/advertised_port), which
// `--kafka-listen` / `--advertise` override.
broker_key listener(const std::string& name, bool advertised, const std::string& doc) {
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        auto l = parse_listener_list(v);
        if (!l.ok()) return storage::invalid_config_value(name, v, k_listener_range);
        (advertised ? c.advertised_listeners : c.listeners) = *l;
        (advertised ? c.advertised_host : c.listen_host) = l->front().host;
        (advertised ? c.advertised_port : c.listen_port) = l->front().port;
        return {};
    };
    auto value = [=](const broker_config& c) {
        auto l = advertised ? c.advertised_listeners : c.listeners;
        if (l.empty()) l.push_back({"PLAINTEXT", "", 0});
        if (!advertised) {
            l.front().host = c.listen_host;
            l.front().port = c.listen_port;
        } else {
            l.front().host = c.advertised_host.empty() ? c.listen_host : c.advertised_host;
            l.front().port = c.advertised_port ? c.advertised_port : c.listen_port;
        }
        return listener_list_text(l);
    };
    return {name,  config_kind::list, k_listener_range, doc, k_dynamic, "", apply,
            value, in_file(name)};
}

// A key Spate accepts with one value only (it has one replica).
broker_key fixed(const std::string& name, config_kind kind, const std::string& only,
                 const std::string& doc) {
    auto apply = [=](broker_config&, const std::string& v) -> status {
        if (v != only)
            return storage::invalid_config_value(name, v, "[" + only + ", " + only + "]");
        return {};
    };
    auto value = [=](const broker_config&) { return only; };
    return {name,  kind,         "[" + only + ", " + only + "]", doc, k_read_only, "", apply,
            value, in_file(name)};
}

// The broker-wide default of topic config `d`, under Kafka's broker name.
broker_key topic_default(const storage::config_definition& d) {
    const std::string name = broker_config_name(d.name);
    const std::string topic = d.name;
    const std::string range = storage::range_text(d);
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        if (!storage::validate_topic_config(topic, v).ok())
            return storage::invalid_config_value(name, v, range);
        c.topic_defaults[topic] = v;
        return {};
    };
    auto value = [topic, def = d.default_value](const broker_config& c) {
        auto it = c.topic_defaults.find(topic);
        return it == c.topic_defaults.end() ? def : it->second;
    };
    auto is_set = [topic](const broker_config& c) { return c.topic_defaults.contains(topic); };
    return {name,      kind_of(d.type), range, "Default of topics' " + topic + ". " + d.doc,
            k_dynamic, topic,           apply, value,
            is_set};
}

// A time-based topic default in a coarser unit (log.retention.hours sets
// retention.ms); -1 stays -1. Reported as the file set it, else the default
// converted.
broker_key scaled_topic_default(const std::string& name, const std::string& unit,
                                const storage::config_definition& d, int64_t factor) {
    const std::string topic = d.name;
    const int64_t min = d.min < 0 ? -1 : 1;
    const std::string range = storage::integer_range_text(min, INT32_MAX);
    auto apply = [=](broker_config& c, const std::string& v) -> status {
        int64_t n = 0;
        if (!parse_integer(v, n) || n < min || n > INT32_MAX)
            return storage::invalid_config_value(name, v, range);
        c.topic_defaults[topic] = std::to_string(n < 0 ? -1 : n * factor);
        return {};
    };
    int64_t def_ms = std::stoll(d.default_value);
    std::string def = std::to_string(def_ms < 0 ? -1 : def_ms / factor);
    auto value = [=](const broker_config& c) {
        auto it = c.file_settings.find(name);
        return it == c.file_settings.end() ? def : it->second;
    };
    std::string doc = "Default of topics' " + topic + ", in " + unit +
                      "; the last of the keys setting " + topic + " in the file wins.";
    return {name, config_kind::int_, range, doc, k_dynamic, topic, apply, value, in_file(name)};
}

// Identity, listeners, data directory, threads and connection limits.
std::vector<broker_key> server_settings() {
    using k = config_kind;
    using c = broker_config;
    return {
        integer("node.id", k::int_, &c::node_id, 0, INT32_MAX, k_read_only,
                "This broker's id: Metadata's node and the BROKER resource's name."),
        integer("broker.id", k::int_, &c::node_id, 0, INT32_MAX, k_read_only,
                "Older name of node.id."),
        listener("listeners", false,
                 "The Kafka listeners, NAME://HOST:PORT each (the name's security protocol "
                 "from listener.security.protocol.map); `spate serve --kafka-listen` overrides "
                 "the first one's address."),
        listener("advertised.listeners", true,
                 "The addresses Metadata gives clients of each listener name (default: the "
                 "listener's); `--advertise` overrides the first one's."),
        data_dir("log.dirs", "The data directory (one); `spate serve --data-dir` overrides it."),
        data_dir("log.dir", "Older name of log.dirs."),
        boolean("auto.create.topics.enable", &c::auto_create_topics, k_read_only,
                "Metadata and Produce create a topic they name that does not exist."),
        integer("num.partitions", k::int_, &c::num_partitions, 1, 1 << 20, k_read_only,
                "Partitions of a topic created automatically or with -1 partitions."),
        fixed("default.replication.factor", k::int_, "1",
              "Replicas of a new topic; Spate keeps one."),
        integer("socket.request.max.bytes", k::int_, &c::socket_request_max_bytes, size_t{64},
                size_t{1} << 31, k_read_only,
                "Largest request accepted; a larger size prefix closes the connection."),
        integer("num.network.threads", k::int_, &c::io_threads, 1, 64, k_dynamic,
                "Threads serving connections and running request handlers."),
        integer("num.io.threads", k::int_, &c::io_threads, 1, 64, k_dynamic,
                "Kafka's request handler threads; Spate runs handlers on its I/O threads, so "
                "this sets the same pool as num.network.threads (the last of the two wins)."),
        integer("spate.io.threads", k::int_, &c::io_threads, 1, 64, k_read_only,
                "Spate's name for num.network.threads."),
        integer("quota.window.num", k::int_, &c::quota_window_num, 1, 100, k_read_only,
                "Client quotas: windows in the measured span (a client may burst that span's "
                "worth of its quota)."),
        integer("quota.window.size.seconds", k::int_, &c::quota_window_size_seconds, 1, 3600,
                k_read_only, "Client quotas: one window, also the longest throttle time."),
        integer("spate.max.inflight.requests", k::int_, &c::max_inflight_requests, size_t{1},
                size_t{1} << 20, k_read_only,
                "Unanswered requests of one connection before Spate stops reading it."),
        boolean("spate.fetch.zero.copy", &c::fetch_zero_copy, k_read_only,
                "Fetch sends record bytes straight from segment files (sendfile) on plaintext "
                "listeners; false copies them into each response."),
        integer("spate.group.commit.interval.us", k::long_, &c::group_commit_interval_us,
                int64_t{0}, int64_t{1000000}, k_read_only,
                "Shortest time between the starts of two group-commit fdatasyncs of one "
                "partition: acks=all producers arriving meanwhile share the next sync. Each "
                "fdatasync disturbs the whole machine (on a VM, an exit to the host), so fewer "
                "of them shorten every connection's latency tail; 0 syncs at once."),
        integer("spate.log.writeback.bytes", k::long_, &c::log_writeback_bytes, int64_t{0},
                int64_t{1} << 30, k_read_only,
                "Appends start the disk write (sync_file_range) of every this many bytes they "
                "add to a partition, so that no fdatasync (an acks=all answer, or ext4's "
                "journal commit for another partition) finds a backlog of dirty pages; 0 "
                "leaves writeback to the kernel (faster acks=1 bursts, slower syncs after "
                "them)."),
    };
}

// Consumer groups, committed offsets, fetch sessions and transactions.
std::vector<broker_key> coordinator_settings() {
    using k = config_kind;
    using c = broker_config;
    return {
        integer("max.incremental.fetch.session.cache.slots", k::int_, &c::max_fetch_sessions, 0,
                1 << 20, k_read_only, "Incremental fetch sessions (KIP-227) kept at once."),
        integer("group.initial.rebalance.delay.ms", k::int_, &c::group_initial_rebalance_delay_ms,
                int64_t{0}, int64_t{INT32_MAX}, k_read_only,
                "How long an empty group's first rebalance waits for more members."),
        integer("group.consumer.session.timeout.ms", k::int_, &c::group_consumer_session_timeout_ms,
                1, INT32_MAX, k_read_only,
                "Session timeout of KIP-848 consumer group members: a member that sends no "
                "heartbeat for this long is removed."),
        integer("group.consumer.heartbeat.interval.ms", k::int_,
                &c::group_consumer_heartbeat_interval_ms, 1, INT32_MAX, k_read_only,
                "Heartbeat interval KIP-848 consumer group members are told to use."),
        integer("group.min.session.timeout.ms", k::int_, &c::group_min_session_timeout_ms, 1,
                INT32_MAX, k_read_only, "Smallest session timeout a group member may ask for."),
        integer("group.max.session.timeout.ms", k::int_, &c::group_max_session_timeout_ms, 1,
                INT32_MAX, k_read_only, "Largest session timeout a group member may ask for."),
        integer("offsets.retention.minutes", k::int_, &c::offsets_retention_ms, int64_t{1},
                int64_t{INT32_MAX}, k_read_only,
                "How long committed offsets of a group without members are kept.", int64_t{60000}),
        integer("offsets.retention.check.interval.ms", k::long_,
                &c::offsets_retention_check_interval_ms, int64_t{1}, INT64_MAX, k_read_only,
                "How often expired committed offsets are looked for."),
        integer("transaction.max.timeout.ms", k::int_, &c::transaction_max_timeout_ms, 1, INT32_MAX,
                k_read_only, "Largest transaction timeout a producer may ask for."),
        integer("transactional.id.expiration.ms", k::int_, &c::transactional_id_expiration_ms,
                int64_t{1}, int64_t{INT32_MAX}, k_read_only,
                "How long an idle transactional id is remembered."),
    };
}

// Retention checks and the log cleaner.
std::vector<broker_key> log_settings() {
    using k = config_kind;
    using c = broker_config;
    return {
        integer("log.retention.check.interval.ms", k::long_, &c::log_retention_check_interval_ms,
                int64_t{1}, INT64_MAX, k_read_only,
                "How often segments past their topic's retention are looked for and deleted."),
        fixed("log.cleaner.threads", k::int_, "1",
              "Threads of the log cleaner; Spate runs one (other values are refused)."),
        boolean("log.cleaner.enable", &c::log_cleaner_enable, k_read_only,
                "Run the log cleaner, which compacts topics with cleanup.policy=compact."),
        integer("log.cleaner.backoff.ms", k::long_, &c::log_cleaner_backoff_ms, int64_t{1},
                int64_t{INT32_MAX}, k_dynamic,
                "How long the cleaner sleeps when no log needs compacting."),
        integer("log.cleaner.dedupe.buffer.size", k::long_, &c::log_cleaner_dedupe_buffer_size,
                size_t{1} << 20, size_t{1} << 40, k_dynamic,
                "Memory for the cleaner's map of keys to their latest offsets."),
    };
}

std::vector<broker_key> make_table() {
    auto keys = server_settings();
    for (auto* more : {coordinator_settings, log_settings, tls_settings, authz_settings_keys,
                       http_security_keys, encryption_settings_keys, pgwire_settings_keys})
        for (auto& k : more())
            keys.push_back(std::move(k));
    for (const auto& d : storage::topic_config_definitions()) {
        keys.push_back(topic_default(d));
        if (d.name == "retention.ms") {
            keys.push_back(scaled_topic_default("log.retention.minutes", "minutes", d, 60000));
            keys.push_back(scaled_topic_default("log.retention.hours", "hours", d, 3600000));
        } else if (d.name == "segment.ms") {
            keys.push_back(scaled_topic_default("log.roll.hours", "hours", d, 3600000));
        }
    }
    return keys;
}

}  // namespace

const std::vector<broker_key>& broker_keys() {
    static const std::vector<broker_key> keys = make_table();
    return keys;
}

const broker_key* find_broker_key(const std::string& name) {
    for (const auto& k : broker_keys())
        if (k.name == name) return &k;
    return nullptr;
}

std::string default_value(const broker_key& k) {
    return k.value(broker_config{});
}

std::vector<described_config> describe_broker_configs(const broker_config& c) {
    std::vector<described_config> out;
    for (const auto& k : broker_keys()) {
        described_config d;
        d.name = k.name;
        d.kind = k.kind;
        d.value = k.value(c);
        d.read_only = !k.dynamic;
        d.doc = k.doc;
        if (k.is_set(c)) {
            d.source = config_source::static_broker_config;
            d.synonyms.push_back({k.name, d.value, d.source});
        }
        d.synonyms.push_back({k.name, default_value(k), config_source::default_config});
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace spate::broker
