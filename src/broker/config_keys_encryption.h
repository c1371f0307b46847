#pragma once

// The encryption-at-rest keys of the broker configuration table
// (config_keys.h): where the keys come from and which topics are encrypted
// by default. The topic config spate.encryption and its broker default
// spate.log.encryption are in storage's topic config table.

#include <memory>
#include <vector>

#include "base/result.h"
#include "broker/config_keys.h"
#include "storage/encryption.h"

namespace spate::broker {

// The environment variable holding keys when spate.encryption.key.file is
// not set: key file lines, separated by newlines or commas.
inline constexpr const char* k_encryption_key_env = "SPATE_ENCRYPTION_KEY";

std::vector<broker_key> encryption_settings_keys();

// The key ring `c` configures: from spate.encryption.key.file, else from
// SPATE_ENCRYPTION_KEY, else null. errc::invalid_argument (naming the
// source) for a malformed ring, for both sources set at once, and for
// spate.log.encryption=true without keys.
result<std::shared_ptr<const storage::key_ring>> load_encryption_keys(const broker_config& c);

}  // namespace spate::broker
