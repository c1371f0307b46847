#pragma once

// The `spate serve` command line: its CLI11 sub-command, filling
// serve_options (serve.h).

#include "app/serve.h"

namespace CLI {
class App;
}

namespace spate::app {

// Adds `serve` to `app` with its options bound to `opts` (which must outlive
// `app`); returns the sub-command so the caller can tell it was selected.
CLI::App* add_serve_command(CLI::App& app, serve_options& opts);

}  // namespace spate::app
