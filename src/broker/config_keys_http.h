#pragma once

// The HTTP listener's security keys of the broker configuration table
// (config_keys.h): spate.http.security.protocol (PLAINTEXT or SSL: HTTPS
// with the ssl.keystore.* certificate), spate.http.ssl.client.auth (mutual
// TLS, principals by ssl.principal.mapping.rules) and
// spate.http.authentication (none or basic, against the stored users).

#include <vector>

#include "broker/config_keys.h"

namespace spate::broker {

std::vector<broker_key> http_security_keys();

}  // namespace spate::broker
