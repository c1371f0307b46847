#pragma once

// What kafka_bench's files share: the command line's options, the result of
// a throughput test and the tests the encryption/TLS comparison
// (at_rest_bench.cc) runs.

#include <string>

#include "kafka/client/config.h"
#include "kafka_util.h"

namespace kafka_bench {

using namespace spate::bench;
namespace kc = spate::kafka::client;

struct options {
    std::string bootstrap = "127.0.0.1:9092";
    std::string data_dir;
    long records_100 = 1000000;
    long records_1k = 300000;
    int latency_seconds = 10;
    int rate = 50000;
    int disk_mib = 256;
    bool latency_only = false;
    bool at_rest_only = false;
    std::string tls_bootstrap;  // an SSL listener of the same broker (--at-rest-only)
    std::string ssl_ca;
    bool without_at_rest = false;  // --at-rest-only: plaintext and TLS rows only
    int rounds = 2;
    long broker_pid = 0;  // > 0: --at-rest-only also reports the broker's CPU per MiB
    // librdkafka properties of every client (security.protocol, ...).
    kc::property_list client_properties;
};

struct throughput {
    long records = 0;
    double seconds = 0;
    size_t size = 0;
    double rate() const { return records / seconds; }
    double mib() const { return records * double(size) / seconds / (1024.0 * 1024.0); }
};

// librdkafka producer (acks "1" or "all", linger.ms=5, batch.size=1000000)
// and consumer throughput of `records` values of `size` bytes in partition 0.
throughput produce_test(const options& o, const std::string& topic, size_t size, long records,
                        const std::string& acks);
throughput consume_test(const options& o, const std::string& topic, size_t size, long records);
// The broker's consume ceiling: raw Fetch requests, every record decoded.
throughput fetch_consume_test(const options& o, const std::string& topic, size_t size,
                              long records);

// The 1 KiB plaintext vs encrypted-at-rest vs TLS comparison (--at-rest-only).
void at_rest_comparison(const options& o, const std::string& run);

}  // namespace kafka_bench
