// spate_config_doc [FILE]: writes docs/configuration.md's content to FILE, or
// to stdout without one. Built only by the `docs` target.

#include <cstdio>
#include <fstream>

#include "broker/config_doc.h"

int main(int argc, char** argv) {
    const std::string text = spate::broker::render_configuration_markdown();
    if (argc < 2) {
        std::fputs(text.c_str(), stdout);
        return 0;
    }
    std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        std::fprintf(stderr, "spate_config_doc: cannot write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
