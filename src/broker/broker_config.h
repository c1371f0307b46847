#pragma once

// Broker settings: `spate serve` options plus a Kafka-style `key=value`
// properties file. The keys, their types, ranges and defaults are the table
// in config_keys.h (listed in docs/configuration.md): broker keys
// (auto.create.topics.enable, num.partitions, socket.request.max.bytes, ...)
// set broker_config fields; Kafka's broker-level topic defaults
// (log.retention.ms, log.segment.bytes, log.flush.interval.ms,
// message.max.bytes, ...) are translated to topic config names and become the
// log manager's defaults. Topic config names themselves are accepted too.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "broker/listeners.h"
#include "storage/config.h"

namespace spate::broker {

// TLS material (Kafka's ssl.* keys): PEM files; empty keystore = no TLS.
struct tls_files {
    std::string keystore_location;
    std::string truststore_location;
    std::string client_auth = "none";  // none, requested, required
    std::string key_password;          // ssl.key.password
    std::string enabled_protocols = "TLSv1.2,TLSv1.3";
    std::string cipher_suites;  // comma-separated; empty: OpenSSL's defaults
};

// Encryption at rest (spate.encryption.* keys; docs/formats/encryption.md).
struct encryption_settings {
    std::string key_file;  // empty: keys from SPATE_ENCRYPTION_KEY, else none
    // Topics created encrypted when keys are configured, comma-separated.
    std::string encrypted_topics = "__spate_credentials";
};

// Authorization (Kafka's authorizer keys; config_keys_acl.h) and the audit log.
struct authz_settings {
    std::string authorizer_class;  // authorizer.class.name: accepted, informative
    std::vector<std::string> super_users;
    // allow.everyone.if.no.acl.found; unset: true without authorizer.class.name
    // (the plaintext default keeps working), false with it (Kafka's default).
    std::optional<bool> allow_everyone_if_no_acl_found;
    std::string audit_log_file;  // spate.audit.log.file; empty: no audit log
    bool allow_everyone() const {
        return allow_everyone_if_no_acl_found.value_or(authorizer_class.empty());
    }
};

// The PostgreSQL wire listener's client authentication (spate.pgwire.*)
// and the SQL engine's own Kafka client (spate.sql.kafka.*);
// config_keys_pgwire.h.
struct pgwire_settings {
    std::string authentication = "trust";  // trust, password, scram-sha-256
    bool ssl_required = false;
    // Kafka client properties of the SQL engine's clients (security.protocol,
    // sasl.*, ssl.*), by property name.
    std::map<std::string, std::string> sql_kafka_client;
};

// The HTTP listener's security (spate.http.* keys; config_keys_http.h).
struct http_security_settings {
    bool tls = false;                     // spate.http.security.protocol=SSL: HTTPS
    std::string client_auth = "none";     // spate.http.ssl.client.auth
    std::string authentication = "none";  // spate.http.authentication: none or basic
    std::string realm = "spate";          // spate.http.authentication.realm
};

struct broker_config {
    int32_t node_id = 0;
    std::string listen_host = "127.0.0.1";
    uint16_t listen_port = 9092;
    // Host/port put in Metadata; empty host / port 0 → the listener's.
    std::string advertised_host;
    uint16_t advertised_port = 0;
    // Named listeners (`listeners`; listeners.h). Empty: one PLAINTEXT
    // listener on listen_host:listen_port. The first entry's address is
    // always listen_host:listen_port (`--kafka-listen` overrides it).
    std::vector<listener_endpoint> listeners;
    std::vector<listener_endpoint> advertised_listeners;
    std::string listener_security_protocol_map;  // empty: Kafka's default
    std::string inter_broker_listener_name;      // accepted; one node
    // `listener.name.<name>.<key>` settings, by their whole key.
    std::map<std::string, std::string> listener_overrides;
    std::filesystem::path data_dir = "./spate-data";

    bool auto_create_topics = true;
    int32_t num_partitions = 1;
    size_t socket_request_max_bytes = size_t{100} << 20;
    // Per connection: stop reading new requests while this many are
    // unanswered, or while their request bytes exceed the byte bound. High
    // enough that a linger.ms=0 acks=all producer's requests waiting for one
    // group-commit fsync do not stop the ones behind them from being
    // appended (and seen by consumers); memory is bounded by the bytes.
    size_t max_inflight_requests = 1024;
    size_t max_inflight_bytes = size_t{64} << 20;
    int io_threads = 2;
    // Fetch sends record bytes from segment files with sendfile on plaintext
    // connections (spate.fetch.zero.copy); false copies them into responses.
    bool fetch_zero_copy = true;
    int64_t group_commit_interval_us = 1000;
    int64_t log_writeback_bytes = 4 << 20;  // spate.log.writeback.bytes
    int32_t max_fetch_sessions = 1000;

    // Consumer groups (Kafka's group.* broker keys).
    int64_t group_initial_rebalance_delay_ms = 3000;
    int32_t group_min_session_timeout_ms = 6000;
    // KIP-848 consumer groups (ConsumerGroupHeartbeat).
    int32_t group_consumer_session_timeout_ms = 45000;
    int32_t group_consumer_heartbeat_interval_ms = 5000;
    int32_t group_max_session_timeout_ms = 1800000;
    int64_t offsets_retention_ms = 7LL * 24 * 3600 * 1000;  // offsets.retention.minutes
    int64_t offsets_retention_check_interval_ms = 600000;

    // Transactions: transaction.max.timeout.ms, transactional.id.expiration.ms.
    int32_t transaction_max_timeout_ms = 900000;
    int64_t transactional_id_expiration_ms = 7LL * 24 * 3600 * 1000;

    // The log cleaner (compaction): log.cleaner.enable, log.cleaner.backoff.ms,
    // log.cleaner.dedupe.buffer.size.
    bool log_cleaner_enable = true;
    int64_t log_cleaner_backoff_ms = 15000;
    // log.retention.check.interval.ms: how often retention runs.
    int64_t log_retention_check_interval_ms = 300000;
    size_t log_cleaner_dedupe_buffer_size = size_t{128} << 20;

    tls_files tls;
    encryption_settings encryption;
    authz_settings authz;
    pgwire_settings pgwire;
    http_security_settings http;
    std::string ssl_principal_mapping_rules = "DEFAULT";

    // SASL (SASL_PLAINTEXT / SASL_SSL listeners).
    std::vector<std::string> sasl_enabled_mechanisms = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
    int64_t connections_max_reauth_ms = 0;  // 0: sessions never expire
    // A failed authentication is answered after this long.
    int32_t connection_failed_authentication_delay_ms = 100;

    // Client quota rate windows (quota.window.num, quota.window.size.seconds).
    int32_t quota_window_num = 11;
    int32_t quota_window_size_seconds = 1;

    // Topic config defaults (topic config names) for the log manager.
    storage::config_map topic_defaults;
    // Every key apply_setting accepted, verbatim, for DescribeConfigs.
    storage::config_map file_settings;
};

// The broker-level name of a topic config (retention.ms → log.retention.ms),
// or the topic name itself when Kafka uses the same key.
std::string broker_config_name(const std::string& topic_config_name);

// Applies one `key=value` setting: a key of broker_keys() or a topic config
// name. errc::invalid_argument "unknown configuration key 'KEY'" for any
// other key, and "KEY: invalid value 'VALUE' (valid: RANGE)" for a bad value;
// `c` is unchanged on error.
status apply_setting(broker_config& c, const std::string& key, const std::string& value);

// Applies every setting of a properties file (blank lines and lines starting
// with '#' or '!' are skipped); stops at the first error, prefixed with
// "FILE:LINE: ".
status load_properties(broker_config& c, const std::filesystem::path& file);

// Parses "HOST:PORT" (HOST may be empty or a bracketed IPv6 literal).
status parse_host_port(const std::string& s, std::string& host, uint16_t& port);

}  // namespace spate::broker
