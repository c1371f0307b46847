// kafka_bench's --at-rest-only comparison: see kafka_bench.cc's top comment.

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include "kafka_bench.h"
#include "raw_producer.h"

namespace kafka_bench {

namespace {

// One row of the encryption comparison: how the topic is made and reached
// (over the TLS listener or not).
struct at_rest_mode {
    const char* name;
    kc::property_list topic_configs;
    bool tls = false;
};

struct at_rest_figures {
    // MiB/s, best of the rounds; raw_produce: bench/raw_producer.h.
    double produce = 0, consume = 0, fetch = 0, raw_produce = 0;
    // MiB per second of the broker's CPU (user + system), best of the rounds:
    // what one broker core sustains when the clients' CPU is not counted;
    // and the same for this process (the librdkafka clients).
    double produce_per_cpu = 0, consume_per_cpu = 0;
    double produce_per_client_cpu = 0, consume_per_client_cpu = 0;
    double raw_produce_per_cpu = 0, raw_produce_per_client_cpu = 0;
};

// Runs `test` (moving `mib` MiB) and keeps the best MiB per CPU second of
// the broker in `broker` (unchanged without --broker-pid) and of this
// process in `client`.
template <typename Test>
double timed_on_broker(const options& o, double mib, double& broker, double& client, Test&& test) {
    const long self = static_cast<long>(::getpid());
    const double cpu0 = process_cpu(o.broker_pid), self0 = process_cpu(self);
    const double rate = test();
    const double cpu = process_cpu(o.broker_pid) - cpu0, self_cpu = process_cpu(self) - self0;
    if (o.broker_pid > 0 && cpu > 0) broker = std::max(broker, mib / cpu);
    if (self_cpu > 0) client = std::max(client, mib / self_cpu);
    return rate;
}

// The raw producer's connection settings for `o`'s listener (TLS or not).
kc::client_config raw_config(const options& o, bool tls) {
    auto c = client_config(tls ? o.tls_bootstrap : o.bootstrap, "kafka-bench-raw");
    if (tls) {
        c.security_protocol = kc::security_protocol::ssl;
        c.ssl_ca_location = o.ssl_ca;
    }
    return c;
}

// `o` as a client of the TLS listener.
options over_tls(const options& o) {
    options t = o;
    t.bootstrap = o.tls_bootstrap;
    t.client_properties.emplace_back("security.protocol", "SSL");
    t.client_properties.emplace_back("ssl.ca.location", o.ssl_ca);
    return t;
}

using column = std::pair<const char*, double at_rest_figures::*>;

// One table: a row per mode, each column's figure and its share of the
// plaintext row's ("-" where a mode has no figure, e.g. raw Fetch over TLS).
void print_table(const char* title, const std::vector<at_rest_mode>& modes,
                 const std::vector<at_rest_figures>& best, const std::vector<column>& columns) {
    std::printf("at-rest  %s\n", title);
    std::printf("at-rest  %-20s", "mode");
    for (const auto& c : columns)
        std::printf(" %16s", c.first);
    std::printf("\n");
    for (size_t m = 0; m < modes.size(); ++m) {
        std::printf("at-rest  %-20s", modes[m].name);
        for (const auto& c : columns) {
            const double x = best[m].*c.second, base = best[0].*c.second;
            if (x <= 0)
                std::printf(" %16s", "-");
            else
                std::printf(" %8.1f (%4.0f%%)", x, base > 0 ? 100.0 * x / base : 0.0);
        }
        std::printf("\n");
    }
}

}  // namespace

void at_rest_comparison(const options& o, const std::string& run) {
    std::vector<at_rest_mode> modes = {{"plaintext", {}}};
    if (!o.without_at_rest) modes.push_back({"encrypted at rest", {{"spate.encryption", "true"}}});
    if (!o.tls_bootstrap.empty()) {
        modes.push_back({"TLS", {}, true});
        if (!o.without_at_rest)
            modes.push_back({"TLS + at rest", {{"spate.encryption", "true"}}, true});
    }
    std::vector<at_rest_figures> best(modes.size());
    const size_t size = 1024;
    const options tls = over_tls(o);
    for (int round = 0; round < o.rounds; ++round) {
        for (size_t m = 0; m < modes.size(); ++m) {
            std::string topic =
                "bench-at-rest-" + std::to_string(m) + "-" + std::to_string(round) + "-" + run;
            create_topic(o.bootstrap, topic, 1, modes[m].topic_configs);
            create_topic(o.bootstrap, topic + "-raw", 1, modes[m].topic_configs);
            const options& c = modes[m].tls ? tls : o;
            auto& b = best[m];
            const double mib = double(o.records_1k) * double(size) / double(1 << 20);
            b.produce =
                std::max(b.produce,
                         timed_on_broker(o, mib, b.produce_per_cpu, b.produce_per_client_cpu, [&] {
                             return produce_test(c, topic, size, o.records_1k, "all").mib();
                         }));
            b.consume = std::max(
                b.consume,
                timed_on_broker(o, mib, b.consume_per_cpu, b.consume_per_client_cpu,
                                [&] { return consume_test(c, topic, size, o.records_1k).mib(); }));
            b.raw_produce = std::max(
                b.raw_produce,
                timed_on_broker(o, mib, b.raw_produce_per_cpu, b.raw_produce_per_client_cpu, [&] {
                    return raw_produce(raw_config(o, modes[m].tls), topic + "-raw", size,
                                       o.records_1k)
                        .mib();
                }));
            // Raw Fetch speaks plaintext only: the ceiling of the plaintext listener.
            if (!modes[m].tls)
                b.fetch = std::max(b.fetch, fetch_consume_test(o, topic, size, o.records_1k).mib());
        }
    }
    char title[160];
    std::snprintf(title, sizeof title,
                  "1 KiB x %ld records, acks=all, best of %d rounds (MiB/s; %% of plaintext)",
                  o.records_1k, o.rounds);
    print_table(title, modes, best,
                {{"produce", &at_rest_figures::produce},
                 {"consume", &at_rest_figures::consume},
                 {"raw Produce", &at_rest_figures::raw_produce},
                 {"raw Fetch", &at_rest_figures::fetch}});
    if (o.broker_pid > 0)
        print_table("broker CPU: MiB per CPU-second of the broker (% of plaintext)", modes, best,
                    {{"produce", &at_rest_figures::produce_per_cpu},
                     {"consume", &at_rest_figures::consume_per_cpu},
                     {"raw Produce", &at_rest_figures::raw_produce_per_cpu}});
    print_table("clients' CPU: MiB per CPU-second of this process's clients (% of plaintext)",
                modes, best,
                {{"produce", &at_rest_figures::produce_per_client_cpu},
                 {"consume", &at_rest_figures::consume_per_client_cpu},
                 {"raw Produce", &at_rest_figures::raw_produce_per_client_cpu}});
    std::fflush(stdout);
}

}  // namespace kafka_bench
