#pragma once

// docs/configuration.md, rendered from the broker key table (config_keys.h)
// and storage's topic config table. The checked-in file must equal this
// rendering (a broker unit test compares them); regenerate it with
// `cmake --build build --target docs`.

#include <string>

namespace spate::broker {

std::string render_configuration_markdown();

}  // namespace spate::broker
