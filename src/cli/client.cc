#include "cli/client.h"

#include <chrono>
#include <cstdio>

namespace spate::cli {

namespace {

extern "C" void on_client_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
    auto* ctx = static_cast<client_context*>(opaque);
    std::lock_guard lock(ctx->mu);
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        ctx->all_brokers_down = true;
        if (ctx->last_error.empty()) ctx->last_error = reason;
    } else {
        ctx->last_error = reason;
    }
}

// librdkafka's own log lines are suppressed; failures surface through the
// error callback and the operation results.
extern "C" void on_client_log(const rd_kafka_t*, int, const char*, const char*) {}

// Sets one librdkafka property; errors name the property.
status set_conf(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
    char errstr[512];
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
        return make_error(errc::invalid_argument, key + "=" + value + ": " + errstr);
    }
    return {};
}

error unreachable_error(const std::string& reason) {
    return make_error(errc::io_error, "cannot reach the broker (" + reason +
                                          "); is a broker listening at the --bootstrap address?");
}

}  // namespace

error failed(std::string msg) {
    return make_error(errc::io_error, std::move(msg));
}

result<rk_ptr> make_client(rd_kafka_type_t type, const std::string& bootstrap,
                           const std::vector<std::pair<std::string, std::string>>& props,
                           client_context* ctx,
                           void (*dr_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*)) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    auto fail = [&](error e) -> result<rk_ptr> {
        rd_kafka_conf_destroy(conf);
        return e;
    };
    if (auto s = set_conf(conf, "bootstrap.servers", bootstrap); !s.ok()) return fail(s.err());
    if (auto s = set_conf(conf, "client.id", "spate-cli"); !s.ok()) return fail(s.err());
    if (auto s = set_conf(conf, "log.connection.close", "false"); !s.ok()) return fail(s.err());
    for (const auto& [k, v] : props) {
        if (auto s = set_conf(conf, k, v); !s.ok()) return fail(s.err());
    }
    if (dr_cb) rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, ctx);
    rd_kafka_conf_set_error_cb(conf, on_client_error);
    rd_kafka_conf_set_log_cb(conf, on_client_log);
    char errstr[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (rk == nullptr) return fail(failed(std::string("cannot create client: ") + errstr));
    return rk_ptr(rk);  // rd_kafka_new took ownership of conf
}

result<rk_ptr> make_admin(const std::string& bootstrap, client_context* ctx) {
    return make_client(RD_KAFKA_PRODUCER, bootstrap, {{"allow.auto.create.topics", "false"}}, ctx);
}

std::string err_text(rd_kafka_resp_err_t err, const char* msg) {
    std::string s = rd_kafka_err2name(err);
    if (msg && *msg) s += std::string(": ") + msg;
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT) {
        s += " (is a broker listening at the --bootstrap address?)";
    }
    return s;
}

result<event_ptr> wait_admin_result(client_context* ctx, rd_kafka_t* rk, rd_kafka_queue_t* q,
                                    rd_kafka_event_type_t type) {
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(k_admin_timeout_ms + 5000);
    while (std::chrono::steady_clock::now() < deadline) {
        event_ptr ev(rd_kafka_queue_poll(q, 200));
        if (!ev) {
            rd_kafka_poll(rk, 0);  // serves the error callback
            if (auto r = ctx->unreachable(); !r.empty()) return unreachable_error(r);
            continue;
        }
        if (rd_kafka_event_type(ev.get()) != type) continue;
        if (rd_kafka_event_error(ev.get())) {
            return failed(
                err_text(rd_kafka_event_error(ev.get()), rd_kafka_event_error_string(ev.get())));
        }
        return ev;
    }
    return make_error(errc::timed_out, "no answer from the broker");
}

admin_options_ptr admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t op) {
    admin_options_ptr o(rd_kafka_AdminOptions_new(rk, op));
    char errstr[256];
    rd_kafka_AdminOptions_set_request_timeout(o.get(), k_admin_timeout_ms, errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_operation_timeout(o.get(), k_admin_timeout_ms, errstr, sizeof errstr);
    return o;
}

result<metadata_ptr> fetch_metadata(client_context* ctx, rd_kafka_t* rk, const std::string& topic) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    rd_kafka_topic_t* rkt =
        topic.empty() ? nullptr : rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    // Short attempts so that an unreachable broker fails fast.
    for (int waited = 0; waited < k_admin_timeout_ms; waited += 500) {
        err = rd_kafka_metadata(rk, topic.empty() ? 1 : 0, rkt, &md, 500);
        if (err != RD_KAFKA_RESP_ERR__TIMED_OUT && err != RD_KAFKA_RESP_ERR__TRANSPORT) break;
        rd_kafka_poll(rk, 0);  // serves the error callback
        if (auto r = ctx->unreachable(); !r.empty()) {
            if (rkt) rd_kafka_topic_destroy(rkt);
            return unreachable_error(r);
        }
    }
    if (rkt) rd_kafka_topic_destroy(rkt);
    if (err) return failed("metadata request failed: " + err_text(err, nullptr));
    metadata_ptr out(md);
    if (!topic.empty()) {
        if (md->topic_cnt != 1 || md->topics[0].err) {
            auto e =
                md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
            return make_error(errc::not_found, "topic '" + topic + "': " + err_text(e, nullptr));
        }
    }
    return out;
}

int report(const char* cmd, const error& e) {
    std::fprintf(stderr, "spate %s: %s\n", cmd, e.message.c_str());
    return 1;
}

int usage_error(const char* cmd, const error& e) {
    std::fprintf(stderr, "spate %s: %s\n(run 'spate help' for usage)\n", cmd, e.message.c_str());
    return 2;
}

}  // namespace spate::cli
