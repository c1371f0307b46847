#pragma once

// The broker's produce ceiling without librdkafka's request building: one
// connection (plaintext or TLS, as the client config says; Spate's raw
// protocol client) sending Produce requests that each carry one ready-made
// batch of just under 1,000,000 bytes (as a librdkafka producer with
// batch.size=1000000 sends), acks=all, with a few requests in flight. The
// same batch bytes are sent every time (the broker assigns the offsets), so
// the figure is what the broker ingests, not what a client can build. Over
// TLS, OpenSSL writes each request as full 16 KiB records, unlike
// librdkafka 2.0, which writes one TLS record per buffer segment (see
// docs/performance.md, "Why TLS produce stays near 200 MiB/s").

#include <algorithm>
#include <chrono>
#include <deque>
#include <string>
#include <vector>

#include "kafka/client/raw_client.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"
#include "kafka_util.h"
#include "model/record_batch_builder.h"

namespace spate::bench {

struct raw_produce_result {
    long records = 0;
    double seconds = 0;
    size_t value_bytes = 0;
    double mib() const { return seconds > 0 ? double(value_bytes) / (1 << 20) / seconds : 0; }
};

// Produces at least `records` values of `size` bytes to partition 0 of
// `topic`, keeping `window` requests in flight; dies on any error.
inline raw_produce_result raw_produce(const kafka::client::client_config& config,
                                      const std::string& topic, size_t size, long records,
                                      size_t window = 4) {
    namespace proto = kafka::protocol;
    auto conn = check(kafka::client::raw_connection::open_bootstrap(config), "raw producer");
    const int16_t v = check(conn->version<proto::produce_request>("Produce", 3), "Produce");
    const long per_batch = std::max<long>(1, 1000000 / long(size + 16));
    model::record_batch_builder builder;
    const std::vector<std::byte> value(size, std::byte{'x'});
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    for (long i = 0; i < per_batch; ++i)
        builder.add(now_ms, std::nullopt, std::span<const std::byte>(value));
    const std::vector<std::byte> batch = builder.finish();
    proto::produce_request req;
    req.acks = -1;
    req.timeout_ms = 30000;
    req.topic_data.push_back({topic, {{0, std::span<const std::byte>(batch)}}});

    raw_produce_result out;
    std::deque<int32_t> in_flight;
    long sent = 0;
    const auto start = std::chrono::steady_clock::now();
    while (out.records < records) {
        while (in_flight.size() < window && sent < records) {
            in_flight.push_back(check(conn->send(req, v), "raw Produce"));
            sent += per_batch;
        }
        auto resp = check(conn->receive<proto::produce_response>(
                              in_flight.front(), static_cast<int16_t>(proto::api_key::produce), v),
                          "raw Produce");
        in_flight.pop_front();
        for (const auto& t : resp.responses)
            for (const auto& p : t.partition_responses)
                if (p.error_code != 0)
                    die("raw Produce to " + topic + ": error " + std::to_string(p.error_code));
        out.records += per_batch;
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.value_bytes = size_t(out.records) * size;
    return out;
}

}  // namespace spate::bench
