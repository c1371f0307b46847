#pragma once

// The records of the internal compacted topic that persists client quotas
// (docs/formats/security.md): one record per quota entity, key = the
// entity, value = its quotas; a tombstone once it has none.

#include <string>
#include <string_view>

#include "base/result.h"
#include "security/quota.h"

namespace spate::security {

std::string encode_quota_key(const quota_entity& e);
std::string encode_quota_values(const quota_values& v);

// Errors (errc::corrupt): not the format's JSON, an entity without parts,
// unknown quota names, values that are not finite non-negative numbers.
result<quota_entity> decode_quota_key(std::string_view key);
result<quota_values> decode_quota_values(std::string_view value);

}  // namespace spate::security
