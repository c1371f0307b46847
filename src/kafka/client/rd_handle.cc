#include "kafka/client/rd_handle.h"

#include <chrono>

#include "kafka/client/error.h"

namespace spate::kafka::client::detail {

namespace {

extern "C" void on_client_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
    static_cast<handle_owner*>(opaque)->conn.on_error(err, reason);
}

extern "C" void on_client_log(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
    auto* owner = static_cast<handle_owner*>(rd_kafka_opaque(rk));
    if (owner && owner->log) owner->log(level, fac, buf);
}

bool retry_metadata(rd_kafka_resp_err_t err) {
    return err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT;
}

}  // namespace

std::optional<error> connection_state::give_up() {
    std::lock_guard lock(mu);
    if (!refused.empty())
        return make_error(errc::invalid_argument,
                          "cannot connect to " + bootstrap + ": " + refused);
    if (all_brokers_down) return unreachable_error(bootstrap, last_error);
    return std::nullopt;
}

void connection_state::on_error(int err, const char* reason) {
    std::lock_guard lock(mu);
    if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR__SSL) {
        if (refused.empty()) refused = reason;
    } else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        all_brokers_down = true;
        if (last_error.empty()) last_error = reason;
    } else {
        last_error = reason;
    }
}

error rd_error(rd_kafka_resp_err_t err, const char* detail) {
    return kafka_error(static_cast<int32_t>(err), detail ? detail : "");
}

error rd_error(const rd_kafka_error_t* e) {
    return rd_error(rd_kafka_error_code(e), rd_kafka_error_string(e));
}

error unreachable_error(const std::string& bootstrap, const std::string& reason) {
    return make_error(errc::io_error, "cannot reach the broker (" + reason +
                                          "); is a broker listening at " + bootstrap + "?");
}

result<conf_ptr> make_conf(const property_list& props) {
    conf_ptr conf(rd_kafka_conf_new());
    char errstr[512];
    for (const auto& [k, v] : props) {
        if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
            return make_error(errc::invalid_argument, k + "=" + v + ": " + errstr);
        }
    }
    return conf;
}

result<rk_ptr> make_handle(rd_kafka_type_t type, conf_ptr conf, handle_owner* owner) {
    rd_kafka_conf_set_opaque(conf.get(), owner);
    rd_kafka_conf_set_error_cb(conf.get(), on_client_error);
    rd_kafka_conf_set_log_cb(conf.get(), on_client_log);
    char errstr[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
    if (rk == nullptr) {
        return make_error(errc::invalid_argument, std::string("cannot create client: ") + errstr);
    }
    conf.release();  // rd_kafka_new took ownership
    return rk_ptr(rk);
}

result<event_ptr> wait_admin_result(connection_state* st, rd_kafka_t* rk, rd_kafka_queue_t* q,
                                    rd_kafka_event_type_t type, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms + 5000);
    while (std::chrono::steady_clock::now() < deadline) {
        event_ptr ev(rd_kafka_queue_poll(q, 200));
        if (!ev) {
            rd_kafka_poll(rk, 0);  // serves the error callback
            if (auto e = st->give_up()) return *e;
            continue;
        }
        if (rd_kafka_event_type(ev.get()) != type) continue;
        if (auto err = rd_kafka_event_error(ev.get())) {
            return rd_error(err, rd_kafka_event_error_string(ev.get()));
        }
        return ev;
    }
    return make_error(errc::timed_out, "no answer from the broker at " + st->bootstrap);
}

admin_options_ptr admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t op, int timeout_ms) {
    admin_options_ptr o(rd_kafka_AdminOptions_new(rk, op));
    char errstr[256];
    // Both setters only fail on out-of-range values, which timeout_ms is not.
    rd_kafka_AdminOptions_set_request_timeout(o.get(), timeout_ms, errstr, sizeof errstr);
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
        op == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS || op == RD_KAFKA_ADMIN_OP_DELETERECORDS) {
        rd_kafka_AdminOptions_set_operation_timeout(o.get(), timeout_ms, errstr, sizeof errstr);
    }
    return o;
}

result<metadata_ptr> fetch_metadata(connection_state* st, rd_kafka_t* rk, const std::string& topic,
                                    int timeout_ms) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    struct topic_deleter {
        void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
    };
    std::unique_ptr<rd_kafka_topic_t, topic_deleter> rkt(
        topic.empty() ? nullptr : rd_kafka_topic_new(rk, topic.c_str(), nullptr));
    // Short attempts so that an unreachable broker fails fast.
    for (int waited = 0; waited < timeout_ms; waited += 500) {
        err = rd_kafka_metadata(rk, topic.empty() ? 1 : 0, rkt.get(), &md, 500);
        if (!retry_metadata(err)) break;
        rd_kafka_poll(rk, 0);  // serves the error callback
        if (auto e = st->give_up()) return *e;
    }
    if (err) {
        error e = rd_error(err, "metadata request failed");
        if (retry_metadata(err)) e.message += " (is a broker listening at " + st->bootstrap + "?)";
        return e;
    }
    metadata_ptr out(md);
    if (!topic.empty() && (md->topic_cnt != 1 || md->topics[0].err)) {
        auto e = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        error r = rd_error(e, ("topic '" + topic + "'").c_str());
        r.code = errc::not_found;
        return r;
    }
    return out;
}

}  // namespace spate::kafka::client::detail
