#pragma once

// What every client (producer, consumer, admin, raw protocol connection)
// is configured with, and the librdkafka property mapping of each client's
// options (pure functions, unit-tested).
//
// Security settings live here and only here: every client of the module,
// librdkafka-based or raw (raw_client.h), honours them, so a caller (the
// CLI's --command-config, the SQL engine, the registry) sets them once.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spate::kafka::client {

inline constexpr const char* k_default_bootstrap = "127.0.0.1:9092";

// Request timeout of admin calls, metadata and offset lookups.
inline constexpr int k_default_timeout_ms = 15000;

using property_list = std::vector<std::pair<std::string, std::string>>;

// Kafka's security.protocol.
enum class security_protocol { plaintext, ssl, sasl_plaintext, sasl_ssl };
// Kafka's sasl.mechanism (the ones Spate's broker serves).
enum class sasl_mechanism { plain, scram_sha_256, scram_sha_512 };

// Kafka's spellings ("SASL_SSL", "SCRAM-SHA-512"); parsing ignores case.
const char* security_protocol_name(security_protocol p);
std::optional<security_protocol> parse_security_protocol(std::string_view s);
const char* sasl_mechanism_name(sasl_mechanism m);
std::optional<sasl_mechanism> parse_sasl_mechanism(std::string_view s);

inline bool uses_tls(security_protocol p) {
    return p == security_protocol::ssl || p == security_protocol::sasl_ssl;
}
inline bool uses_sasl(security_protocol p) {
    return p == security_protocol::sasl_plaintext || p == security_protocol::sasl_ssl;
}

struct client_config {
    // "HOST:PORT[,HOST:PORT]..." ("[::1]:9092" for IPv6).
    std::string bootstrap = k_default_bootstrap;
    std::string client_id = "spate";
    int timeout_ms = k_default_timeout_ms;

    // Security (Kafka's client properties of the same names). The SASL
    // settings apply with SASL_PLAINTEXT and SASL_SSL, the ssl_* ones with
    // SSL and SASL_SSL; the others are ignored, as Kafka's clients do.
    client::security_protocol security_protocol = client::security_protocol::plaintext;
    client::sasl_mechanism sasl_mechanism = client::sasl_mechanism::plain;
    std::string sasl_username;
    std::string sasl_password;
    std::string ssl_ca_location;           // PEM file or directory; empty: system CAs
    std::string ssl_certificate_location;  // client certificate (mTLS), PEM
    std::string ssl_key_location;          // its private key, PEM
    std::string ssl_key_password;          // of an encrypted key; empty: none
    // ssl.endpoint.identification.algorithm: "https" (the broker's
    // certificate must name the host connected to) or "none".
    bool ssl_verify_hostname = true;

    // Extra librdkafka properties, applied after the module's own (so they
    // win); an unknown property or bad value fails client creation, naming it.
    property_list properties;
};

// The properties every librdkafka client of `c` gets: bootstrap.servers,
// client.id, log.connection.close=false, allow.auto.create.topics=false,
// the security settings that apply to c.security_protocol, then
// c.properties.
property_list base_properties(const client_config& c);

}  // namespace spate::kafka::client
