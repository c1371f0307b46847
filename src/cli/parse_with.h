#pragma once

// Parsing one command's arguments outside the `spate` program (the
// parse_* functions the tests call).

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "base/result.h"

namespace spate::cli {

// Parses `args` with a throwaway app holding one command's definition
// (`define(app, out)`); a usage error is errc::invalid_argument.
template <typename Args, typename Define>
result<Args> parse_with(const std::vector<std::string>& args, Define define) {
    CLI::App app;
    Args out;
    define(app, out);
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        return make_error(errc::invalid_argument, e.what());
    }
    return out;
}

}  // namespace spate::cli
