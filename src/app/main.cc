#include <cstdio>
#include <string>
#include <vector>

#include "app/commands.h"
#include "cli/cli.h"

namespace {
void usage() {
    std::fprintf(stderr,
                 "usage: spate <command> [options]\n"
                 "commands:\n"
                 "  serve --data-dir DIR [--kafka-listen HOST:PORT] [--advertise HOST:PORT]\n"
                 "        [--config FILE]       run the platform on a data directory\n"
                 "%s",
                 spate::cli::usage_text());
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage();
        return 2;
    }
    std::string cmd = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    if (cmd == "serve") return spate::app::serve_command(args);
    if (spate::cli::handles(cmd)) return spate::cli::run(cmd, args);
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        usage();
        return 0;
    }
    std::fprintf(stderr, "spate: unknown command '%s'\n", cmd.c_str());
    usage();
    return 2;
}
