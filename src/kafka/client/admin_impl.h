#pragma once

// Internal to the module: the state behind kafka::client::admin, shared by
// admin.cc (topics, configs, records) and admin_groups.cc (groups).

#include <type_traits>

#include "kafka/client/admin.h"
#include "kafka/client/rd_handle.h"

namespace spate::kafka::client {

struct admin::impl : detail::handle_owner {
    detail::rk_ptr rk;
    int timeout_ms = k_default_timeout_ms;

    // Runs an admin request of `op` (started by `start` with the options and
    // a result queue; a `start` returning a failed status sends nothing and
    // fails the request) and waits for its result event of `type`.
    template <typename Start>
    result<detail::event_ptr> request(rd_kafka_admin_op_t op, rd_kafka_event_type_t type,
                                      Start start) {
        detail::queue_ptr q(rd_kafka_queue_new(rk.get()));
        auto opts = detail::admin_options(rk.get(), op, timeout_ms);
        if constexpr (std::is_same_v<decltype(start(opts.get(), q.get())), status>) {
            SPATE_TRY(start(opts.get(), q.get()));
        } else {
            start(opts.get(), q.get());
        }
        return detail::wait_admin_result(&conn, rk.get(), q.get(), type, timeout_ms);
    }

    result<detail::metadata_ptr> metadata(const std::string& topic) {
        return detail::fetch_metadata(&conn, rk.get(), topic, timeout_ms);
    }
};

// "topic/partition" for messages.
std::string tp_text(const std::string& topic, int32_t partition);

// The metadata of one librdkafka topic entry.
topic_metadata to_topic_metadata(const rd_kafka_metadata_topic_t& t);

}  // namespace spate::kafka::client
