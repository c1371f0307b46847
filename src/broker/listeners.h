#pragma once

// Kafka's named listeners: `listeners=NAME://HOST:PORT,...` with each name's
// security protocol from `listener.security.protocol.map` (Kafka's default
// maps PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL to themselves),
// `advertised.listeners` with the same names, and per-listener overrides
// `listener.name.<name>.<key>` (lower-case name, as Kafka spells them) of the
// TLS and SASL keys.
//
// Pure parsing and resolution; no I/O. The Kafka service starts one
// net::listener per resolved listener.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace spate::broker {

struct broker_config;

enum class security_protocol { plaintext, ssl, sasl_plaintext, sasl_ssl };

const char* security_protocol_name(security_protocol p);
std::optional<security_protocol> parse_security_protocol(const std::string& name);
inline bool uses_tls(security_protocol p) {
    return p == security_protocol::ssl || p == security_protocol::sasl_ssl;
}
inline bool uses_sasl(security_protocol p) {
    return p == security_protocol::sasl_plaintext || p == security_protocol::sasl_ssl;
}

// One `NAME://HOST:PORT` entry (HOST empty: every interface).
struct listener_endpoint {
    std::string name;
    std::string host;
    uint16_t port = 0;
    bool operator==(const listener_endpoint&) const = default;
};

// "NAME://HOST:PORT[,...]": names are letters, digits and '_', unique;
// HOST may be empty or a bracketed IPv6 literal. Errors say what is wrong
// with which entry.
result<std::vector<listener_endpoint>> parse_listener_list(const std::string& value);
std::string listener_list_text(const std::vector<listener_endpoint>& l);

// "NAME:PROTOCOL[,...]" → the map; errors name the bad entry.
result<std::map<std::string, security_protocol>> parse_protocol_map(const std::string& value);
// Kafka's default map: every protocol's name maps to itself.
std::map<std::string, security_protocol> default_protocol_map();

// The TLS and SASL keys a `listener.name.<name>.` prefix may override.
bool is_listener_override_key(const std::string& key);

// A listener as the Kafka service starts it.
struct kafka_listener {
    listener_endpoint address;
    security_protocol protocol = security_protocol::plaintext;
    // What Metadata / FindCoordinator / DescribeCluster tell clients that
    // came in on this listener (empty host / port 0: the bound address).
    std::string advertised_host;
    uint16_t advertised_port = 0;
};

// The listeners of `c` (`listeners`, else one PLAINTEXT listener on
// listen_host:listen_port) with their protocols and advertised addresses.
// Errors: a name the protocol map lacks, an advertised listener with no
// listener of its name, a protocol map that does not parse.
result<std::vector<kafka_listener>> resolve_listeners(const broker_config& c);

// The value of `key` (e.g. "ssl.keystore.location") for listener `name`:
// `listener.name.<lower-case name>.<key>` when set, else nullopt.
std::optional<std::string> listener_override(const broker_config& c, const std::string& name,
                                             const std::string& key);

}  // namespace spate::broker
