#pragma once

// librdkafka plumbing shared by the client sub-commands: owning handles, a
// client factory that fails fast on an unreachable bootstrap, admin request
// helpers and the exit-code conventions (see cli.h). Internal to the module.

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace spate::cli {

// Request and operation timeout of every admin call and offset lookup.
inline constexpr int k_admin_timeout_ms = 15000;

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

// An operation failure (exit 1) with `msg`.
error failed(std::string msg);

// State the librdkafka callbacks write (they run inside rd_kafka_poll /
// rd_kafka_consumer_poll on the calling thread). One per client, passed as opaque.
struct client_context {
    std::mutex mu;
    bool all_brokers_down = false;  // guarded by mu
    std::string last_error;         // guarded by mu
    int64_t delivered = 0;          // delivery reports: polling thread only
    int64_t failed = 0;
    std::string first_delivery_error;

    // Non-empty once every bootstrap broker failed: the reason to give up.
    std::string unreachable() {
        std::lock_guard lock(mu);
        return all_brokers_down ? last_error : std::string();
    }
};

// A client of `type` connected to `bootstrap` with extra properties; its
// callbacks report into `ctx`, which must outlive it.
result<rk_ptr> make_client(rd_kafka_type_t type, const std::string& bootstrap,
                           const std::vector<std::pair<std::string, std::string>>& props,
                           client_context* ctx,
                           void (*dr_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr);

// A client for admin requests and metadata/offset lookups.
result<rk_ptr> make_admin(const std::string& bootstrap, client_context* ctx);

// "ERROR_NAME: message", with a hint at the bootstrap address on timeouts.
std::string err_text(rd_kafka_resp_err_t err, const char* msg);

// Waits for the admin result event of `type` on `q`; fails on a request-level
// error, on an unreachable broker and after the admin timeout.
result<event_ptr> wait_admin_result(client_context* ctx, rd_kafka_t* rk, rd_kafka_queue_t* q,
                                    rd_kafka_event_type_t type);

// Admin options for `op` with the module's timeouts.
admin_options_ptr admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t op);

// Metadata of one topic (or of all when `topic` is empty); a missing topic
// is a `not_found` error.
result<metadata_ptr> fetch_metadata(client_context* ctx, rd_kafka_t* rk, const std::string& topic);

// Print "spate CMD: message" on stderr; return exit code 1 / 2 (usage).
int report(const char* cmd, const error& e);
int usage_error(const char* cmd, const error& e);

// Runs `fn` on successfully parsed arguments; maps results to exit codes.
template <typename Args, typename Fn>
int run_parsed(const char* cmd, const result<Args>& parsed, Fn fn) {
    if (!parsed.ok()) return usage_error(cmd, parsed.err());
    auto s = fn(*parsed);
    if (!s.ok()) return report(cmd, s.err());
    return 0;
}

}  // namespace spate::cli
