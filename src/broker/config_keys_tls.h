#pragma once

// The TLS keys of the broker configuration table (config_keys.h): Kafka's
// ssl.* names. They configure every TLS endpoint of `spate serve` (pgwire
// answers SSLRequest with them; Kafka SSL listeners come with issue 14's
// named listeners).

#include <vector>

#include "broker/config_keys.h"

namespace spate::broker {

std::vector<broker_key> tls_settings();

}  // namespace spate::broker
