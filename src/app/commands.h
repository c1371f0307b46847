#pragma once

// Sub-commands of the `spate` binary. Each takes the arguments after its name
// and returns the process exit code.

#include <string>
#include <vector>

namespace spate::app {

int serve_command(const std::vector<std::string>& args);

}  // namespace spate::app
