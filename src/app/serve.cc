#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "app/http_security.h"
#include "app/platform.h"
#include "app/registry_service.h"
#include "app/schema_validation.h"
#include "app/serve.h"
#include "app/sql_security.h"
#include "app/sql_service.h"
#include "base/log.h"
#include "broker/broker_config.h"
#include "broker/config_keys_tls.h"
#include "broker/dynamic_configs.h"
#include "http/registry_api.h"
#include "http/server.h"
#include "net/listener.h"
#include "net/tls.h"
#include "pgwire/server.h"

namespace spate::app {

namespace {

// glibc's defaults give freed memory back to the kernel once 128 KiB or
// more is free at the top of a heap, and serve large blocks with their own
// mmap. A continuous query's per-transaction memory (librdkafka's copy of
// every produced record, freed by its broker thread after delivery; the
// query's reused column buffers) then cycles through trim and page fault:
// with the column buffers pooled (sql/types/column_pool.h), q0's query
// thread faulted 34,000 times over 3,000,000 events instead of 9,500 once
// at start (docs/performance.md, 2026-12-04 afternoon). Keeping up to
// 256 MiB free per heap and blocks below 32 MiB in the heaps bounds the
// faults to the first fill. Cost: a process keeps its high-water heap
// memory. A thread's arena (any thread but main's) grows its heap one
// page per sysmalloc() call by default; with a 64 MiB top pad a new heap
// is usable to its 64 MiB limit at once, so a query thread filling its
// heap (librdkafka's record copies, new groups) calls sysmalloc() once per
// heap instead of once per page (it was 5-12% of q17's query thread;
// docs/performance.md, 2026-12-04 evening). Untouched pages stay free.
// Must run before other threads start (mallopt is process-wide).
void tune_malloc() {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
}

int usage_error(const std::string& what) {
    std::fprintf(stderr, "spate serve: %s\nRun with --help for more information.\n", what.c_str());
    return 2;
}

}  // namespace

int serve(const serve_options& opts) {
    return serve(opts, {});
}

namespace {

struct serve_config {
    broker::broker_config broker;
    bool kafka_on = true;                                  // false: --kafka-listen off
    std::optional<std::pair<std::string, uint16_t>> pg;    // unset: --pg-listen off
    std::optional<std::pair<std::string, uint16_t>> http;  // unset: --http-listen off
    std::string bootstrap;        // non-empty: no local broker (--bootstrap)
    bool data_dir_given = false;  // --data-dir
    // From ssl.keystore.location & co (unset: no TLS): pgwire's SSLRequest.
    std::shared_ptr<boost::asio::ssl::context> tls;
};

result<std::shared_ptr<boost::asio::ssl::context>> make_tls(const broker::tls_files& t) {
    if (t.keystore_location.empty()) {
        if (!t.truststore_location.empty() || t.client_auth != "none")
            return make_error(errc::invalid_argument,
                              "ssl.truststore.location and ssl.client.auth need "
                              "ssl.keystore.location");
        return std::shared_ptr<boost::asio::ssl::context>();
    }
    return net::make_server_tls_context(broker::server_tls_files(t, t.client_auth));
}

// The broker configuration from the config file, then the command line.
result<serve_config> make_config(const serve_options& opts) {
    serve_config out;
    auto& cfg = out.broker;
    // The properties file first; command-line options override it.
    if (opts.config_file) SPATE_TRY(broker::load_properties(cfg, *opts.config_file));
    if (opts.data_dir) cfg.data_dir = *opts.data_dir;
    out.data_dir_given = opts.data_dir.has_value();
    if (opts.kafka_listen) {
        auto addr = net::parse_listen_address("--kafka-listen", *opts.kafka_listen);
        if (!addr.ok()) return addr.err();
        out.kafka_on = addr->has_value();
        if (out.kafka_on) {
            cfg.listen_host = (*addr)->first;
            cfg.listen_port = (*addr)->second;
        }
    }
    auto pg =
        net::parse_listen_address("--pg-listen", opts.pg_listen.value_or(k_default_pg_listen));
    if (!pg.ok()) return pg.err();
    out.pg = pg.value();
    auto http = net::parse_listen_address("--http-listen",
                                          opts.http_listen.value_or(k_default_http_listen));
    if (!http.ok()) return http.err();
    out.http = http.value();
    if (opts.bootstrap) {
        if (opts.bootstrap->empty())
            return make_error(errc::invalid_argument, "--bootstrap: empty");
        if (opts.kafka_listen)
            return make_error(errc::invalid_argument,
                              "--bootstrap runs without a local broker: drop --kafka-listen");
        out.bootstrap = *opts.bootstrap;
        out.kafka_on = false;
    } else if (!out.kafka_on) {
        // SQL and the registry reach the log only through the Kafka protocol.
        if (out.pg && opts.pg_listen)
            return make_error(errc::invalid_argument,
                              "--pg-listen needs a Kafka listener or --bootstrap");
        if (out.http && opts.http_listen)
            return make_error(errc::invalid_argument,
                              "--http-listen needs a Kafka listener or --bootstrap");
        out.pg.reset();
        out.http.reset();
    }
    if (opts.advertise) {
        auto s = broker::parse_host_port(*opts.advertise, cfg.advertised_host, cfg.advertised_port);
        if (!s.ok()) return make_error(errc::invalid_argument, "--advertise: " + s.err().message);
    }
    if (opts.node_id) {
        auto s = broker::apply_setting(cfg, "node.id", std::to_string(*opts.node_id));
        if (!s.ok()) return make_error(errc::invalid_argument, "--node-id: " + s.err().message);
    }
    // Broker configs altered at run time (AlterConfigs) win over the file's.
    if (out.kafka_on) SPATE_TRY(broker::apply_dynamic_configs(cfg));
    auto tls = make_tls(cfg.tls);
    if (!tls.ok()) return tls.err();
    out.tls = std::move(tls).value();
    if (cfg.pgwire.ssl_required && !out.tls)
        return make_error(errc::invalid_argument,
                          "spate.pgwire.ssl.required needs ssl.keystore.location");
    if (cfg.pgwire.authentication != "trust" && !out.kafka_on && out.pg)
        return make_error(errc::invalid_argument,
                          "spate.pgwire.authentication=" + cfg.pgwire.authentication +
                              " needs the local broker's users: it runs without one");
    return out;
}

// The command a user can paste to try the platform.
std::string try_line(const std::string& bootstrap) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    std::string bin = "spate";
    if (!ec) {
        auto rel = std::filesystem::relative(exe, std::filesystem::current_path(), ec);
        bin =
            (!ec && !rel.empty() && rel.native().rfind("..", 0) != 0) ? rel.string() : exe.string();
    }
    const std::string b = " --bootstrap " + bootstrap;
    return bin + " topic create demo" + b + "; printf 'hello\\n' | " + bin + " produce demo" + b +
           " && " + bin + " consume demo --from-beginning --count 1" + b;
}

// The Kafka cluster the roles above the log use: the local listener (its
// port known once started) or --bootstrap.
std::function<std::string()> cluster_of(platform& p, const serve_config& c) {
    if (c.bootstrap.empty()) return [&p] { return p.local_kafka_address(); };
    return [b = c.bootstrap] { return b; };
}

// The SQL engine and its pgwire listener, started after the Kafka listener
// and the registry (`registry`: empty without one; the engine then opens
// its own).
void add_sql(platform& p, const serve_config& c, int32_t node_id, http::registry_source registry) {
    // Stateful queries' local state: under the data directory, except for
    // --bootstrap without --data-dir (a temporary directory; the state is
    // rebuilt from its changelog topics).
    std::string state_dir;
    if (c.bootstrap.empty() || c.data_dir_given)
        state_dir = (c.broker.data_dir / "sql-state").string();
    const auto& client = c.broker.pgwire.sql_kafka_client;
    kafka::client::property_list properties(client.begin(), client.end());
    std::function<std::string()> bootstrap = cluster_of(p, c);
    if (c.bootstrap.empty() && client.contains("security.protocol"))
        bootstrap = [&p, protocol = client.at("security.protocol")] {
            return p.local_kafka_address(protocol);
        };
    // Users, ACLs and the audit log are the local broker's (none with
    // --bootstrap: make_config allows only trust then, and SQL is unchecked).
    kafka_lookup kafka = [&p] { return p.kafka(); };
    std::shared_ptr<sql::access_policy> access;
    if (p.kafka()) access = make_sql_access_policy(kafka);
    auto& sql = p.services().add(std::make_unique<sql_service>(
        std::move(bootstrap), std::to_string(node_id), std::move(registry), state_dir,
        std::move(properties), std::move(access)));
    pgwire::pg_options pg{.tls = c.tls};
    pg.auth =
        pg_auth_options(c.broker.pgwire, c.broker.connection_failed_authentication_delay_ms, kafka);
    p.add_listener(
        {.name = "pgwire", .flag = "--pg-listen", .host = c.pg->first, .port = c.pg->second},
        pgwire::make_pg_connection_factory(sql.sessions(), pg));
}

// The schema registry and the HTTP listener serving its REST API, started
// after the Kafka listener, secured by `sec`; returns the registry for the
// SQL engine.
http::registry_source add_registry(platform& p, const serve_config& c, int32_t node_id,
                                   http_security sec) {
    auto& reg = p.services().add(
        std::make_unique<registry_service>(cluster_of(p, c), "spate-" + std::to_string(node_id)));
    // The local broker's schema id validation asks this registry.
    if (auto* slot = p.schema_validators())
        p.services().add(std::make_unique<schema_validation_service>(*slot, reg.source()));
    auto routes = std::make_shared<http::router>();
    http::add_registry_routes(*routes, reg.source(), sec.identity);
    p.add_listener({.name = "http",
                    .flag = "--http-listen",
                    .host = c.http->first,
                    .port = c.http->second,
                    .tls_source = sec.tls_source,
                    .on_tls_failure = sec.on_tls_failure},
                   http::make_http_connection_factory(std::move(routes), sec.options));
    return reg.source();
}

uint16_t listener_port(const platform& p, const std::string& name) {
    for (const auto* l : p.listeners())
        if (l->options().name == name) return l->port();
    return 0;
}

// A wildcard listen host as a client dials it.
const char* dial_host(const std::string& host) {
    return host.empty() || host == "0.0.0.0" ? "127.0.0.1" : host.c_str();
}

// What started and where: the data directory or the cluster, every
// listener, and commands to try them.
void print_started(platform& p, const serve_config& c) {
    if (p.has_broker()) {
        auto& logs = p.storage().logs();
        std::printf("spate: data directory %s (%zu topics, %s shutdown before)\n",
                    std::filesystem::absolute(c.broker.data_dir).c_str(), logs.list_topics().size(),
                    logs.opened_after_clean_shutdown() ? "clean" : "unclean, recovered");
        std::printf("spate: cluster id %s, node id %d\n", p.storage().cluster_id().c_str(),
                    c.broker.node_id);
    } else {
        std::printf("spate: no local broker; Kafka cluster at %s\n", c.bootstrap.c_str());
    }
    for (const auto& e : p.endpoints())
        std::printf("spate: %s\n", e.c_str());
    if (c.kafka_on) std::printf("spate: try it: %s\n", try_line(p.kafka_bootstrap()).c_str());
    if (c.pg)
        std::printf("spate: try SQL: psql -h %s -p %u -U spate spate -c 'SELECT version()'\n",
                    dial_host(c.pg->first), static_cast<unsigned>(listener_port(p, "pgwire")));
    if (c.http) {
        const std::string h = dial_host(c.http->first);
        std::printf("spate: try the schema registry: curl %s://%s:%u/subjects\n",
                    c.broker.http.tls ? "https" : "http",
                    h.find(':') != std::string::npos ? ("[" + h + "]").c_str() : h.c_str(),
                    static_cast<unsigned>(listener_port(p, "http")));
    }
}

}  // namespace

int serve(const serve_options& opts, const platform_hook& hook) {
    tune_malloc();
    auto lv = logging::configure(opts.log_level,
                                 opts.log_json ? logging::format::json : logging::format::text);
    if (!lv.ok()) return usage_error("--log-level: " + lv.err().message);
    auto made = make_config(opts);
    if (!made.ok()) return usage_error(made.err().message);
    const auto* cfg = &made->broker;
    const bool kafka_on = made->kafka_on;

    // Block the stop signals before any thread starts so that only sigwait sees them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    // A client vanishing mid-write must not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    std::optional<net::listener_options> kafka;
    if (kafka_on)
        kafka = net::listener_options{.name = "kafka",
                                      .flag = "--kafka-listen",
                                      .host = cfg->listen_host,
                                      .port = cfg->listen_port};
    const bool with_broker = made->bootstrap.empty();
    platform p(*cfg, kafka, with_broker);
    http::registry_source registry;
    if (made->http) {
        auto sec = make_http_security(*cfg, p.kafka());
        if (!sec.ok()) return usage_error(sec.err().message);
        registry = add_registry(p, *made, cfg->node_id, std::move(*sec));
    }
    if (made->pg) add_sql(p, *made, cfg->node_id, std::move(registry));
    if (hook) hook(p);
    if (auto s = p.start(); !s.ok()) {
        std::fprintf(stderr, "spate serve: %s\n", s.err().message.c_str());
        return 1;
    }
    print_started(p, *made);
    std::printf("spate: ready; press Ctrl-C to stop\n");
    std::fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    std::printf("spate: stopping\n");
    std::fflush(stdout);
    p.stop();
    if (p.has_broker() && !p.storage().close_status().ok()) {
        std::fprintf(stderr, "spate serve: close failed: %s\n",
                     p.storage().close_status().err().to_string().c_str());
        return 1;
    }
    return 0;
}

}  // namespace spate::app
