#pragma once

// Helpers shared by the handlers: request decoding, response framing and
// waiting for storage completions on the connection's strand.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <optional>

#include "broker/append_notifier.h"
#include "broker/cluster.h"
#include "broker/dynamic_configs.h"
#include "broker/fetch_session.h"
#include "broker/handler.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_directory.h"
#include "coordinator/group_coordinator.h"
#include "coordinator/txn_coordinator.h"
#include "kafka/protocol/error_code.h"
#include "kafka/protocol/frame.h"
#include "kafka/protocol/wire.h"
#include "security/acl.h"
#include "security/quota.h"
#include "storage/log.h"

namespace spate::broker::handlers {

namespace proto = kafka::protocol;

// Decodes the request body at the request's version (errc::corrupt or
// errc::unsupported: the caller closes the connection).
template <typename Request>
result<Request> decode(request_context& ctx) {
    return proto::decode_request_body<Request>(ctx.body(), ctx.version());
}

// Client quotas (client_quotas.h). record_quota: records `amount` of `k`
// for the request's principal and client id and keeps the throttle time it
// asks for in ctx.throttle_ms (the larger wins); returns that throttle time.
int64_t record_quota(request_context& ctx, security::quota_kind k, double amount);
// Whether `amount` of `k` fits the burst of the client's quota (or it has
// none): false when no wait would ever let it through.
bool within_burst(const request_context& ctx, security::quota_kind k, double amount);
// The request's throttle time: records the handler's time so far against
// request_percentage (except for ApiVersions and the SASL APIs), and
// returns the larger of that throttle and ctx.throttle_ms. Called once per
// answered request, by respond() / no_response(ctx).
int64_t throttle_time(const request_context& ctx);
// Whether a client of this request version backs off by itself on a
// throttle_time_ms (KIP-219); older versions get their response delayed.
bool client_throttles(int16_t api_key, int16_t version);
// Sets the outcome's throttle from throttle_time() (response already built
// with throttle_time_ms).
void set_throttle(const request_context& ctx, handler_outcome& o, int64_t throttle_ms);

// The controller mutation quota (KIP-599) of CreateTopics, CreatePartitions
// and DeleteTopics, for one item of `mutations` partitions. `strict`
// (CreateTopics v6+, CreatePartitions v3+, DeleteTopics v5+): false when the
// client is already over its quota (the caller refuses the item with
// THROTTLING_QUOTA_EXCEEDED; ctx.throttle_ms holds the wait), else the
// mutations are recorded. Older versions always record and pass (the
// client is throttled instead).
bool admit_mutations(request_context& ctx, bool strict, double mutations);
inline constexpr int16_t k_throttling_quota_exceeded = 89;
inline constexpr const char* k_throttling_quota_message = "The throttling quota has been exceeded.";

template <typename Response>
handler_outcome respond(const request_context& ctx, const Response& r) {
    handler_outcome o;
    o.what = handler_outcome::kind::respond;
    const int64_t t = throttle_time(ctx);
    set_throttle(ctx, o, t);
    if constexpr (requires { r.throttle_time_ms; }) {
        if (t > 0 && r.throttle_time_ms < t) {
            Response throttled = r;
            throttled.throttle_time_ms = static_cast<int32_t>(t);
            proto::append_response_frame(o.frame, ctx.header.correlation_id, ctx.version(),
                                         throttled);
            return o;
        }
    }
    proto::append_response_frame(o.frame, ctx.header.correlation_id, ctx.version(), r);
    return o;
}

inline handler_outcome close_connection() {
    return handler_outcome{};
}

inline handler_outcome no_response() {
    handler_outcome o;
    o.what = handler_outcome::kind::no_response;
    return o;
}

// No response (acks=0 Produce), the connection still muted for the
// request's throttle time.
inline handler_outcome no_response(const request_context& ctx) {
    handler_outcome o = no_response();
    o.throttle_ms = throttle_time(ctx);
    return o;
}

// Suspends until offsets below `o` of `l` are durable; resumes on `ctx`'s
// strand whatever thread storage completes on.
boost::asio::awaitable<status> await_durable(request_context& ctx, std::shared_ptr<storage::log> l,
                                             model::offset o);

// Calls `start` with a one-shot callback and suspends until it is called
// (from any thread, possibly inside `start`); resumes on `ctx`'s strand.
// Pass `start` as a named local: GCC 12 mishandles lambda temporaries in
// co_await expressions.
template <typename T>
boost::asio::awaitable<T> await_callback(request_context& ctx,
                                         std::function<void(std::function<void(T)>)> start) {
    namespace asio = boost::asio;
    struct state {
        explicit state(asio::any_io_executor ex)
            : timer(ex, asio::steady_timer::time_point::max()) {}
        asio::steady_timer timer;
        std::optional<T> value;
    };
    auto st = std::make_shared<state>(ctx.executor);
    auto ex = ctx.executor;
    start([st, ex](T v) {
        asio::post(ex, [st, v = std::move(v)]() mutable {
            st->value = std::move(v);
            st->timer.cancel();
        });
    });
    while (!st->value) {
        boost::system::error_code ec;
        co_await st->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return std::move(*st->value);
}

// Suspends until every __transaction_state record written so far is
// durable: a transaction coordinator answer (InitProducerId, AddPartitionsToTxn,
// AddOffsetsToTxn, EndTxn) promises state that must survive a machine crash,
// as acks=all data does. COORDINATOR_NOT_AVAILABLE when the sync fails.
boost::asio::awaitable<error_code> await_txn_state_durable(request_context& ctx);

// Calls (target.*method)(req, done) — a coordinator call that completes
// through a callback — and suspends until `done` runs; resumes on `ctx`'s
// strand.
template <typename Result, typename Target, typename Method, typename Request>
boost::asio::awaitable<Result> await_coordinator(request_context& ctx, Target& target,
                                                 Method method, Request req) {
    std::function<void(std::function<void(Result)>)> start =
        [&target, method, &req](std::function<void(Result)> done) {
            (target.*method)(req, std::move(done));
        };
    co_return co_await await_callback<Result>(ctx, std::move(start));
}

// Kafka's INVALID_TOPIC_EXCEPTION check plus Spate's name rules.
bool valid_topic_name(const std::string& name);

// The authorized-operations bit set (Metadata, DescribeCluster,
// DescribeGroups) of the request's principal on resource `name` of type `r`,
// from the authorizer (access_control.h).
int32_t authorized_operations(const request_context& ctx, proto::resource_type r,
                              std::string_view name);

// ACL checks of the request's principal and host (access_control.h). A
// refusal is written to the audit log with the API's name; `may` does not
// audit (filters: Metadata's topic list, ListGroups, ListTransactions).
bool authorize(request_context& ctx, proto::acl_operation op, proto::resource_type r,
               std::string_view name);
bool may(const request_context& ctx, proto::acl_operation op, proto::resource_type r,
         std::string_view name);
inline bool authorize_topic(request_context& ctx, proto::acl_operation op, std::string_view t) {
    return authorize(ctx, op, proto::resource_type::topic, t);
}
inline bool authorize_group(request_context& ctx, proto::acl_operation op, std::string_view g) {
    return authorize(ctx, op, proto::resource_type::group, g);
}
inline bool authorize_txn(request_context& ctx, proto::acl_operation op, std::string_view id) {
    return authorize(ctx, op, proto::resource_type::transactional_id, id);
}
bool authorize_cluster(request_context& ctx, proto::acl_operation op);
// The ACL check of a config resource (DescribeConfigs DESCRIBE_CONFIGS,
// AlterConfigs / IncrementalAlterConfigs ALTER_CONFIGS): a topic's
// (TOPIC_AUTHORIZATION_FAILED) or, for a broker, the cluster's
// (CLUSTER_AUTHORIZATION_FAILED); error_code::none when allowed or for other
// resource types (which the handlers refuse themselves).
error_code config_resource_denied(request_context& ctx, int8_t resource_type,
                                  const std::string& name, proto::acl_operation op);

// A partition's log for a partition-level request: UNKNOWN_TOPIC_OR_PARTITION
// when it does not exist, UNKNOWN_LEADER_EPOCH when the client names a leader
// epoch newer than this node's (always 0); `error` is set and nullptr
// returned in both cases.
std::shared_ptr<storage::log> partition_log(handler_deps& b, const std::string& topic,
                                            int32_t partition, int32_t current_leader_epoch,
                                            error_code& error);

// The ConfigResource type of topics (DescribeConfigs, AlterConfigs,
// IncrementalAlterConfigs); other types (brokers, ...) are not alterable.
inline constexpr int8_t k_topic_resource = 2;
// The ConfigResource type of brokers.
inline constexpr int8_t k_broker_resource = 4;

struct alter_outcome {
    error_code error = error_code::none;
    std::optional<std::string> message;
};

// One resource of AlterConfigs / IncrementalAlterConfigs: INVALID_REQUEST
// for non-topic resources, UNKNOWN_TOPIC_OR_PARTITION for unknown topics;
// otherwise `edit` turns the topic's current overrides into the new set (an
// error message from it is INVALID_CONFIG), every resulting value is
// validated (INVALID_CONFIG), and the set is stored unless `validate_only`.
// One BROKER resource of AlterConfigs / IncrementalAlterConfigs: name ""
// is the cluster-wide dynamic default, this node's id its own dynamic
// configs (another name: INVALID_REQUEST). `edit` turns the scope's current
// dynamic settings into the new set (an error message from it is
// INVALID_CONFIG); dynamic_broker_configs::replace checks and stores it.
alter_outcome alter_broker_configs(
    handler_deps& b, const std::string& name, bool validate_only,
    const std::function<std::optional<std::string>(storage::config_map&)>& edit);

alter_outcome alter_topic_configs(
    handler_deps& b, int8_t resource_type, const std::string& topic, bool validate_only,
    const std::function<std::optional<std::string>(storage::config_map&)>& edit);

}  // namespace spate::broker::handlers
