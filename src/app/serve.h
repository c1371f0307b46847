#pragma once

// `spate serve`: the options the command line gives it and the entry point
// that runs the platform until SIGINT/SIGTERM.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace spate::app {

// What the command line set; unset options come from the config file, then
// from the defaults in the configuration table.
struct serve_options {
    std::optional<std::string> data_dir;
    // "HOST:PORT" (port 0 picks a free port) or "off".
    std::optional<std::string> kafka_listen;
    std::optional<std::string> advertise;  // "HOST:PORT" put in Metadata
    std::optional<std::string> config_file;
    std::optional<int32_t> node_id;
    // pgwire listener: "HOST:PORT" or "off" (default k_default_pg_listen).
    std::optional<std::string> pg_listen;
    // HTTP listener (schema registry): "HOST:PORT" or "off" (default
    // k_default_http_listen).
    std::optional<std::string> http_listen;
    // Another Kafka cluster's "HOST:PORT[,...]": run the SQL role against it,
    // with no local broker.
    std::optional<std::string> bootstrap;
    std::string log_level = "info";  // logging::k_level_names
    bool log_json = false;
};

inline constexpr const char* k_default_pg_listen = "127.0.0.1:6875";
inline constexpr const char* k_default_http_listen = "127.0.0.1:8081";

// Runs the platform; returns the process exit code (0 clean stop, 1 a
// failure at start or stop, 2 a bad option or config value).
int serve(const serve_options& opts);

class platform;
// As serve(), with `hook` plugging extra services into the platform before
// it starts (the tests' own services).
int serve(const serve_options& opts, const std::function<void(platform&)>& hook);

}  // namespace spate::app
