#include <csignal>
#include <cstdio>
#include <filesystem>

#include "app/commands.h"
#include "storage/log_manager.h"

namespace spate::app {

int serve_command(const std::vector<std::string>& args) {
    std::filesystem::path data_dir = "./spate-data";
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--data-dir" && i + 1 < args.size()) {
            data_dir = args[++i];
        } else {
            std::fprintf(stderr, "spate serve: unknown or incomplete option '%s'\n",
                         args[i].c_str());
            return 2;
        }
    }
    // Block the stop signals before any thread starts so that only sigwait sees them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    storage::log_manager_options opts;
    opts.data_dir = data_dir;
    auto mgr = storage::log_manager::open(opts);
    if (!mgr.ok()) {
        std::fprintf(stderr, "spate serve: cannot open %s: %s\n", data_dir.c_str(),
                     mgr.err().to_string().c_str());
        return 1;
    }
    auto topics = (*mgr)->list_topics();
    std::printf("spate: data directory %s (%zu topics, %s shutdown before)\n",
                std::filesystem::absolute(data_dir).c_str(), topics.size(),
                (*mgr)->opened_after_clean_shutdown() ? "clean" : "unclean, recovered");
    std::printf("spate: storage engine ready; press Ctrl-C to stop\n");
    std::fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    std::printf("spate: stopping\n");
    auto s = (*mgr)->close();
    if (!s.ok()) {
        std::fprintf(stderr, "spate serve: close failed: %s\n", s.err().to_string().c_str());
        return 1;
    }
    return 0;
}

}  // namespace spate::app
