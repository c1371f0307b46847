#pragma once

// `spate group list|describe|reset-offsets|delete`: consumer-group
// administration over librdkafka's admin API (see README.md).

#include <string>
#include <vector>

namespace spate::cli {

// Runs `spate group ARGS...` (ARGS[0] is the sub-command); returns the exit
// code as described in cli.h.
int run_group(const std::vector<std::string>& args);

// The usage lines of the group sub-commands for the top-level help.
const char* group_usage_text();

}  // namespace spate::cli
