#pragma once

// JSON text for responses (internal to the module): nlohmann::json (or
// ordered_json) dumped compactly, invalid UTF-8 replaced by U+FFFD instead of
// throwing (strings may come from percent-decoded paths).

#include <string>

#include <nlohmann/json.hpp>

namespace spate::http {

template <typename Json>
std::string json_text(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace spate::http
