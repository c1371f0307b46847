#pragma once

// Internal to src/sql/expr: navigation inside JSON text without building a
// document. Values are returned as views of their exact source text, so a
// member of normalised jsonb text is itself normalised jsonb text.

#include <cstdint>
#include <string>
#include <string_view>

namespace spate::sql::detail {

enum class json_scan { found, missing, malformed };

// The member `key` of the object `value`; missing when `value` is not an
// object or has no such key.
json_scan json_member(std::string_view value, std::string_view key, std::string_view& out);
// Element `index` of the array `value` (negative: from the end).
json_scan json_element(std::string_view value, int64_t index, std::string_view& out);
// The contents of the JSON string literal `quoted` with escapes resolved.
bool json_unescape(std::string_view quoted, std::string& out);

}  // namespace spate::sql::detail
