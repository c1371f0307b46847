#include <cstdio>
#include <string>
#include <vector>

#include "app/commands.h"

namespace {
void usage() {
    std::fprintf(stderr,
                 "usage: spate <command> [options]\n"
                 "commands:\n"
                 "  serve [--data-dir DIR]   open the data directory and run the platform\n");
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
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        usage();
        return 0;
    }
    std::fprintf(stderr, "spate: unknown command '%s'\n", cmd.c_str());
    usage();
    return 2;
}
