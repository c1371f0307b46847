#pragma once

// The authorization keys of the broker configuration table (config_keys.h):
// Kafka's authorizer.class.name, super.users and
// allow.everyone.if.no.acl.found, plus Spate's audit log file.

#include <vector>

#include "broker/config_keys.h"

namespace spate::broker {

std::vector<broker_key> authz_settings_keys();

}  // namespace spate::broker
