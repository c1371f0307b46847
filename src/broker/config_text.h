#pragma once

// Small text and key-table helpers shared by the broker's configuration
// files (broker_config.cc, config_keys*.cc, listeners.cc, kafka_service.cc).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/broker_config.h"

namespace spate::broker {

// `s` without leading and trailing blanks (space, tab, CR).
std::string trim_blanks(std::string_view s);
// The items of a `sep`-separated list, blanks around them trimmed (as
// trim_blanks), empty items skipped.
std::vector<std::string> split_list(std::string_view s, char sep = ',');
// `s` with ASCII letters in lower case.
std::string lower_ascii(std::string s);
// A key table row's "set in the properties file" test for key `name`.
std::function<bool(const broker_config&)> in_file(const std::string& name);

}  // namespace spate::broker
