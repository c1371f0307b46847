#pragma once

// Helpers the librdkafka benchmarks share: fatal errors, client creation and
// topic creation. Every failure ends the process (a benchmark that cannot
// set itself up has nothing to report).

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

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

inline double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// A positive-or-at-least-`min` integer command-line value.
inline long parse_long(const char* s, const char* what, long min = 1) {
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (!*s || *end || v < min) die(std::string("bad ") + what + ": " + s);
    return v;
}

inline void set(rd_kafka_conf_t* conf, const char* k, const std::string& v) {
    char err[512];
    if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) die(err);
}

// A new configuration with bootstrap.servers set.
inline rd_kafka_conf_t* base_conf(const std::string& bootstrap) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    return conf;
}

// A client owning `conf`.
inline rd_kafka_t* make(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) die(err);
    return rk;
}
// Delivery report counts of a producer (its opaque); on_delivery is its
// delivery callback and prints the first failure.
struct delivery_counts {
    std::atomic<long> ok{0};
    std::atomic<long> failed{0};
};

inline void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* c = static_cast<delivery_counts*>(opaque);
    if (m->err) {
        if (c->failed++ == 0)
            std::fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
    } else {
        c->ok++;
    }
}

// A string unique to this run (process id and start time), for topic and
// group names that must not collide with earlier runs on the same broker.
inline std::string run_id() {
    return std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
}

// Walks `--name value` options: `on(name, value)` handles one (value()
// takes the next argument; a missing one is fatal) and returns false for an
// unknown name, which is fatal too.
inline void parse_options(
    int argc, char** argv,
    const std::function<bool(const std::string& name, const std::function<const char*()>& value)>&
        on) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        std::function<const char*()> value = [&]() -> const char* {
            if (i + 1 >= argc) die("missing value for " + a);
            return argv[++i];
        };
        if (!on(a, value)) die("unknown option " + a);
    }
}

// Produces one copied record to partition 0 of `topic`, serving delivery
// callbacks while the client queue is full.
inline void produce_one(rd_kafka_t* rk, const std::string& topic, void* payload, size_t size) {
    for (;;) {
        rd_kafka_resp_err_t err =
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_VALUE(payload, size), RD_KAFKA_V_END);
        if (!err) return;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            die(std::string("produce: ") + rd_kafka_err2str(err));
        rd_kafka_poll(rk, 1);
    }
}

inline void create_topic(const std::string& bootstrap, const std::string& name, int partitions) {
    rd_kafka_t* rk = make(RD_KAFKA_PRODUCER, base_conf(bootstrap));
    char err[512];
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(name.c_str(), partitions, 1, err, sizeof err);
    if (!nt) die(err);
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 60000);
    if (!ev) die("CreateTopics timed out");
    if (rd_kafka_event_error(ev))
        die(std::string("CreateTopics: ") + rd_kafka_event_error_string(ev));
    size_t n = 0;
    const rd_kafka_topic_result_t** res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n; ++i) {
        if (rd_kafka_topic_result_error(res[i]))
            die("CreateTopics " + name + ": " +
                rd_kafka_err2str(rd_kafka_topic_result_error(res[i])));
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
}

}  // namespace spate::bench
