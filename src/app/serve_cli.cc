#include "app/serve_cli.h"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "base/log.h"

namespace spate::app {

CLI::App* add_serve_command(CLI::App& app, serve_options& opts) {
    CLI::App* cmd = app.add_subcommand("serve", "Run the platform on a data directory");
    cmd->add_option_function<std::string>(
           "--data-dir", [&opts](const std::string& v) { opts.data_dir = v; },
           "Data directory (created when missing)")
        ->type_name("DIR");
    cmd->add_option_function<std::string>(
           "--kafka-listen", [&opts](const std::string& v) { opts.kafka_listen = v; },
           "Kafka listener address (port 0: a free port) or 'off'")
        ->type_name("HOST:PORT|off");
    cmd->add_option_function<std::string>(
           "--pg-listen", [&opts](const std::string& v) { opts.pg_listen = v; },
           std::string("PostgreSQL wire (SQL) listener address or 'off' (default ") +
               k_default_pg_listen + ")")
        ->type_name("HOST:PORT|off");
    cmd->add_option_function<std::string>(
           "--http-listen", [&opts](const std::string& v) { opts.http_listen = v; },
           std::string("HTTP (schema registry) listener address or 'off' (default ") +
               k_default_http_listen + ")")
        ->type_name("HOST:PORT|off");
    cmd->add_option_function<std::string>(
           "--bootstrap", [&opts](const std::string& v) { opts.bootstrap = v; },
           "Run the SQL role against this Kafka cluster instead of a local broker")
        ->type_name("HOST:PORT[,...]");
    cmd->add_option_function<std::string>(
           "--advertise", [&opts](const std::string& v) { opts.advertise = v; },
           "Address put in Metadata responses (default: the listener's)")
        ->type_name("HOST:PORT");
    cmd->add_option_function<std::string>(
           "--config", [&opts](const std::string& v) { opts.config_file = v; },
           "Properties file; command-line options override it")
        ->type_name("FILE");
    cmd->add_option_function<int32_t>(
           "--node-id", [&opts](const int32_t& v) { opts.node_id = v; }, "This node's id")
        ->type_name("N")
        ->check(CLI::Range(0, INT32_MAX));
    cmd->add_option("--log-level", opts.log_level, "Log level")
        ->type_name("LEVEL")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
    cmd->add_flag("--log-json", opts.log_json, "Log JSON lines instead of text");
    return cmd;
}

}  // namespace spate::app
