#pragma once

// Structured logging over spdlog: one named logger per module ("storage",
// "broker", "coordinator", ...), all writing to stderr through one shared
// sink, either as text lines or as JSON lines.
//
// Threading: every function is safe from any thread. configure() may run at
// any time; loggers created before it follow the new level and format.

#include <spdlog/logger.h>

#include <string>
#include <string_view>

#include "base/result.h"

namespace spate::logging {

enum class format { text, json };

// The logger of `module`, created on first use at the configured level.
// The reference stays valid for the life of the process.
spdlog::logger& get(std::string_view module);

// Sets the level of every logger ("trace", "debug", "info", "warn", "error",
// "critical", "off") and the line format. errc::invalid_argument names the
// level when it is not one of those.
status configure(std::string_view level, format f);

// The level names configure() accepts, for help texts.
inline constexpr const char* k_level_names = "trace|debug|info|warn|error|critical|off";

}  // namespace spate::logging
