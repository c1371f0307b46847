// The `spate` binary: `spate serve` and the Kafka client sub-commands, with
// the command line parsed by CLI11 (help generated from the parser).
// Exit codes: 0 success (and --help), 1 a failed operation, 2 a usage error.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "app/serve.h"
#include "app/serve_cli.h"
#include "app/user_command.h"
#include "cli/cli.h"

int main(int argc, char** argv) {
    CLI::App app{"Spate: a Kafka-compatible streaming platform in one binary.", "spate"};
    app.require_subcommand(1);
    spate::app::serve_options serve_opts;
    CLI::App* serve = spate::app::add_serve_command(app, serve_opts);
    spate::cli::client_commands client(app);
    spate::app::user_options user_opts;
    CLI::App* user = spate::app::add_user_command(app, user_opts);
    // Set after the sub-commands so that they do not inherit it.
    app.footer(
        "Every Kafka client command takes --bootstrap HOST:PORT[,HOST:PORT]... (default "
        "127.0.0.1:9092)\nand --command-config FILE (Kafka client properties: security.protocol, "
        "sasl.*, ssl.*).\nRun 'spate COMMAND --help' for the options of a command.");

    if (argc < 2) {
        std::fputs(app.help().c_str(), stderr);
        return 2;
    }
    if (argc == 2 && std::string(argv[1]) == "help") {
        std::fputs(app.help().c_str(), stdout);
        return 0;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (serve->parsed()) return spate::app::serve(serve_opts);
    if (user->parsed()) return spate::app::run_user_command(user_opts);
    if (auto rc = client.run_selected()) return *rc;
    return 2;  // unreachable: a sub-command is required
}
