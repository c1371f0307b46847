#pragma once

// The SQL service's keys of the broker configuration table (config_keys.h):
// the pgwire listener's client authentication (spate.pgwire.authentication,
// spate.pgwire.ssl.required) and the Kafka client settings of the SQL
// engine's own clients (spate.sql.kafka.<Kafka client property>), for
// brokers whose listeners all require authentication.

#include <vector>

#include "broker/config_keys.h"

namespace spate::broker {

std::vector<broker_key> pgwire_settings_keys();

}  // namespace spate::broker
