#pragma once

// Internal to the module (not a public header): owning librdkafka handles, the
// fail-fast client factory and the admin-request helpers the producer,
// consumer and admin clients share.

#include <librdkafka/rdkafka.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.h"
#include "kafka/client/config.h"

namespace spate::kafka::client::detail {

struct rk_deleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;

struct queue_deleter {
    void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
using queue_ptr = std::unique_ptr<rd_kafka_queue_t, queue_deleter>;

struct event_deleter {
    void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
using event_ptr = std::unique_ptr<rd_kafka_event_t, event_deleter>;

struct options_deleter {
    void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
using admin_options_ptr = std::unique_ptr<rd_kafka_AdminOptions_t, options_deleter>;

struct tpl_deleter {
    void operator()(rd_kafka_topic_partition_list_t* l) const {
        rd_kafka_topic_partition_list_destroy(l);
    }
};
using tpl_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t, tpl_deleter>;

struct metadata_deleter {
    void operator()(const rd_kafka_metadata_t* md) const { rd_kafka_metadata_destroy(md); }
};
using metadata_ptr = std::unique_ptr<const rd_kafka_metadata_t, metadata_deleter>;

struct conf_deleter {
    void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;

// What the error callback reports (it runs on librdkafka's threads or in
// rd_kafka_poll).
struct connection_state {
    std::string bootstrap;
    std::mutex mu;
    bool all_brokers_down = false;  // guarded by mu
    std::string last_error;         // guarded by mu
    std::string refused;            // a failed login or TLS handshake; guarded by mu

    // Set once every bootstrap broker failed, a login was refused or a TLS
    // handshake failed: the error to give up with.
    std::optional<error> give_up();
    void on_error(int err, const char* reason);
};

// The object every handle's opaque points to (the client's impl, at a stable
// address for the handle's life): its connection state and an optional log
// sink for librdkafka's log lines (called on librdkafka's threads; unset:
// the lines are dropped, failures surface through results).
struct handle_owner {
    connection_state conn;
    std::function<void(int level, const char* facility, const char* message)> log;
    virtual ~handle_owner() = default;
};

// A spate error of a librdkafka code (error.h's format).
error rd_error(rd_kafka_resp_err_t err, const char* detail = nullptr);
error rd_error(const rd_kafka_error_t* e);
// The error of every bootstrap broker being unreachable.
error unreachable_error(const std::string& bootstrap, const std::string& reason);

// A configuration with `props` set; errors name the property.
result<conf_ptr> make_conf(const property_list& props);

// The handle of `type` over `conf` (taken even on failure), with `owner`
// as opaque and the error and log callbacks installed; `owner` must outlive
// the handle.
result<rk_ptr> make_handle(rd_kafka_type_t type, conf_ptr conf, handle_owner* owner);

// Waits for the admin result of `type` on `q`, failing on a request-level
// error, an unreachable broker and after `timeout_ms` (+5 s).
result<event_ptr> wait_admin_result(connection_state* st, rd_kafka_t* rk, rd_kafka_queue_t* q,
                                    rd_kafka_event_type_t type, int timeout_ms);

admin_options_ptr admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t op, int timeout_ms);

// Metadata of `topic` (every topic when empty; then a missing topic is not
// an error) in short attempts so that an unreachable broker fails fast.
result<metadata_ptr> fetch_metadata(connection_state* st, rd_kafka_t* rk, const std::string& topic,
                                    int timeout_ms);

}  // namespace spate::kafka::client::detail
