#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "app/serve.h"
#include "broker/broker.h"
#include "broker/broker_config.h"
#include "broker/server.h"
#include "storage/log_manager.h"

namespace spate::app {

namespace {

int usage_error(const std::string& what) {
    std::fprintf(stderr,
                 "spate serve: %s\n"
                 "usage: spate serve [--data-dir DIR] [--kafka-listen HOST:PORT]\n"
                 "                   [--advertise HOST:PORT] [--config FILE] [--node-id N]\n",
                 what.c_str());
    return 2;
}

}  // namespace

int serve(const serve_options& opts) {
    broker::broker_config cfg;
    const std::string config_file = opts.config_file.value_or("");
    const auto& data_dir = opts.data_dir;
    const auto& listen = opts.kafka_listen;
    const auto& advertise = opts.advertise;
    std::optional<std::string> node_id;
    if (opts.node_id) node_id = std::to_string(*opts.node_id);
    // The properties file first; command-line options override it.
    if (!config_file.empty()) {
        auto s = broker::load_properties(cfg, config_file);
        if (!s.ok()) return usage_error(s.err().message);
    }
    if (data_dir) cfg.data_dir = *data_dir;
    if (listen) {
        auto s = broker::parse_host_port(*listen, cfg.listen_host, cfg.listen_port);
        if (!s.ok()) return usage_error("--kafka-listen: " + s.err().message);
    }
    if (advertise) {
        auto s = broker::parse_host_port(*advertise, cfg.advertised_host, cfg.advertised_port);
        if (!s.ok()) return usage_error("--advertise: " + s.err().message);
    }
    if (node_id) {
        auto s = broker::apply_setting(cfg, "node.id", *node_id);
        if (!s.ok()) return usage_error("--node-id: " + s.err().message);
    }

    // Block the stop signals before any thread starts so that only sigwait sees them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    // A client vanishing mid-write must not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    storage::log_manager_options opts;
    opts.data_dir = cfg.data_dir;
    opts.broker_defaults = cfg.topic_defaults;
    opts.cleaner_enable = cfg.log_cleaner_enable;
    opts.cleaner_backoff_ms = cfg.log_cleaner_backoff_ms;
    opts.cleaner_map_bytes = cfg.log_cleaner_dedupe_buffer_size;
    auto mgr = storage::log_manager::open(opts);
    if (!mgr.ok()) {
        std::fprintf(stderr, "spate serve: cannot open %s: %s\n", cfg.data_dir.c_str(),
                     mgr.err().to_string().c_str());
        return 1;
    }
    auto cluster_id = broker::load_or_create_cluster_id(cfg.data_dir);
    if (!cluster_id.ok()) {
        std::fprintf(stderr, "spate serve: %s\n", cluster_id.err().to_string().c_str());
        (void)(*mgr)->close();
        return 1;
    }
    auto topics = (*mgr)->list_topics();
    std::printf("spate: data directory %s (%zu topics, %s shutdown before)\n",
                std::filesystem::absolute(cfg.data_dir).c_str(), topics.size(),
                (*mgr)->opened_after_clean_shutdown() ? "clean" : "unclean, recovered");
    std::printf("spate: cluster id %s, node id %d\n", cluster_id->c_str(), cfg.node_id);

    broker::broker b(cfg, **mgr, *cluster_id);
    if (auto g = b.load_coordinators(); !g.ok()) {
        std::fprintf(stderr, "spate serve: consumer offsets: %s\n", g.err().to_string().c_str());
        (void)(*mgr)->close();
        return 1;
    }
    broker::server srv(b);
    auto port = srv.listen(cfg.listen_host, cfg.listen_port);
    if (!port.ok()) {
        std::fprintf(stderr, "spate serve: %s\n", port.err().to_string().c_str());
        (void)(*mgr)->close();
        return 1;
    }
    b.set_advertised(cfg.advertised_host.empty() ? cfg.listen_host : cfg.advertised_host,
                     cfg.advertised_port ? cfg.advertised_port : *port);
    srv.start();
    std::printf("spate: kafka listener on %s:%u\n", cfg.listen_host.c_str(),
                static_cast<unsigned>(*port));
    std::printf("spate: ready; press Ctrl-C to stop\n");
    std::fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    std::printf("spate: stopping\n");
    std::fflush(stdout);
    srv.stop();
    auto s = (*mgr)->close();
    if (!s.ok()) {
        std::fprintf(stderr, "spate serve: close failed: %s\n", s.err().to_string().c_str());
        return 1;
    }
    return 0;
}

}  // namespace spate::app
