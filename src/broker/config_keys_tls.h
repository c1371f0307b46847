#pragma once

// The TLS and SASL keys of the broker configuration table (config_keys.h):
// Kafka's ssl.*, sasl.*, listener.security.protocol.map and
// connections.max.reauth.ms names. The ssl.* keys configure every TLS
// endpoint of `spate serve` (Kafka SSL / SASL_SSL listeners, pgwire's
// SSLRequest); `listener.name.<name>.<key>` overrides one Kafka listener's.

#include <vector>

#include "broker/config_keys.h"
#include "net/tls.h"

namespace spate::broker {

std::vector<broker_key> tls_settings();

// The server TLS settings of `t` (files, key password, protocols, cipher
// suites, all validated by their keys) with `client_auth` ("none",
// "requested" or "required").
net::tls_server_files server_tls_files(const tls_files& t, const std::string& client_auth);

// Applies `listener.name.<name>.<key>` (a key of is_listener_override_key,
// value checked as the key's own); errc::invalid_argument otherwise.
status apply_listener_override(broker_config& c, const std::string& key, const std::string& value);

}  // namespace spate::broker
