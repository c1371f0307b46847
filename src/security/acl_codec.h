#pragma once

// The records of the internal compacted topic that persists ACLs
// (docs/formats/security.md): one record per resource pattern, key = the
// pattern, value = every entry on it; a tombstone when the last goes.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "security/acl.h"

namespace spate::security {

std::string encode_acl_key(const resource_pattern& p);
std::string encode_acl_entries(const std::vector<access_entry>& entries);

// Errors (errc::corrupt): not the format's JSON, unknown names, or a
// pattern/entry that validate() refuses.
result<resource_pattern> decode_acl_key(std::string_view key);
result<std::vector<access_entry>> decode_acl_entries(const resource_pattern& p,
                                                     std::string_view value);

}  // namespace spate::security
