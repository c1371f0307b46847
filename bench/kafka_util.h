#pragma once

// Helpers the Kafka benchmarks share: fatal errors, command-line parsing with
// CLI11, run ids and topic creation through kafka/client. Every failure ends
// the process (a benchmark that cannot set itself up has nothing to report).

#include <errno.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "base/result.h"
#include "kafka/client/admin.h"
#include "kafka/client/config.h"

namespace spate::bench {

using clock_type = std::chrono::steady_clock;

// Prints "<program>: msg" and exits 1 without running static destructors
// (client threads may still be running).
[[noreturn]] inline void die(const std::string& msg) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, msg.c_str());
    std::fflush(stderr);
    std::_Exit(1);
}

// The value of `r`, or the end of the process naming `what`.
template <typename T>
T check(result<T> r, const std::string& what) {
    if (!r.ok()) die(what + ": " + r.err().message);
    return std::move(*r);
}

inline void check(const status& s, const std::string& what) {
    if (!s.ok()) die(what + ": " + s.err().message);
}

inline double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Parses the command line into `app`'s options; --help prints the generated
// help and exits 0, a usage error prints CLI11's message and exits 2.
inline void parse_command_line(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        std::exit(app.exit(e) == 0 ? 0 : 2);
    }
}

// --bootstrap, shared by every Kafka benchmark.
inline void add_bootstrap(CLI::App& app, std::string& bootstrap) {
    app.add_option("--bootstrap", bootstrap, "Kafka broker HOST:PORT")->capture_default_str();
}

inline kafka::client::client_config client_config(const std::string& bootstrap,
                                                  const std::string& client_id) {
    kafka::client::client_config c;
    c.bootstrap = bootstrap;
    c.client_id = client_id;
    c.timeout_ms = 60000;
    return c;
}

// A string unique to this run (process id and start time), for topic and
// group names that must not collide with earlier runs on the same broker.
// CPU seconds (user + system) process `pid` has used so far; 0 for pid <= 0
// or when /proc cannot be read.
inline double process_cpu(long pid) {
    if (pid <= 0) return 0;
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(f, line)) return 0;
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i >= 14) ticks += std::stod(field);
    }
    return ticks / double(::sysconf(_SC_CLK_TCK));
}

inline std::string run_id() {
    return std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
}

inline void create_topic(const std::string& bootstrap, const std::string& name, int partitions,
                         kafka::client::property_list configs = {}) {
    auto admin = check(kafka::client::admin::connect(client_config(bootstrap, "spate-bench")),
                       "admin client");
    check(admin.create_topic({name, partitions, 1, std::move(configs)}), "CreateTopics " + name);
}

}  // namespace spate::bench
