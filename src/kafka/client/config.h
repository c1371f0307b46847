#pragma once

// What every client (producer, consumer, admin, raw protocol connection)
// is configured with, and the librdkafka property mapping of each client's
// options (pure functions, unit-tested).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace spate::kafka::client {

inline constexpr const char* k_default_bootstrap = "127.0.0.1:9092";

// Request timeout of admin calls, metadata and offset lookups.
inline constexpr int k_default_timeout_ms = 15000;

using property_list = std::vector<std::pair<std::string, std::string>>;

struct client_config {
    // "HOST:PORT[,HOST:PORT]..." ("[::1]:9092" for IPv6).
    std::string bootstrap = k_default_bootstrap;
    std::string client_id = "spate";
    int timeout_ms = k_default_timeout_ms;
    // Extra librdkafka properties, applied after the module's own (so they
    // win); an unknown property or bad value fails client creation, naming it.
    property_list properties;
};

// The properties every librdkafka client of `c` gets: bootstrap.servers,
// client.id, log.connection.close=false, allow.auto.create.topics=false,
// then c.properties.
property_list base_properties(const client_config& c);

}  // namespace spate::kafka::client
