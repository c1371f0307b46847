#include "broker/handlers/handler_util.h"

#include "broker/access_control.h"
#include "broker/client_quotas.h"
#include "broker/request_clock.h"
#include "kafka/protocol/generated/api_keys.h"

#include <algorithm>
#include <chrono>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/log_manager.h"

namespace spate::broker::handlers {

namespace asio = boost::asio;

namespace {

int64_t quota_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

const std::string& quota_client_id(const request_context& ctx) {
    static const std::string none;
    return ctx.header.client_id ? *ctx.header.client_id : none;
}

bool request_time_exempt(int16_t api_key) {
    using k = proto::api_key;
    const auto key = static_cast<k>(api_key);
    return key == k::api_versions || key == k::sasl_handshake || key == k::sasl_authenticate;
}

}  // namespace

int64_t record_quota(request_context& ctx, security::quota_kind k, double amount) {
    if (!ctx.svc.quotas) return 0;
    auto& m = ctx.svc.quotas->manager();
    if (m.none(k)) return 0;
    int64_t t = m.record(quota_user(ctx.conn), quota_client_id(ctx), k, amount, quota_now_ms());
    ctx.throttle_ms = std::max(ctx.throttle_ms, t);
    return t;
}

bool within_burst(const request_context& ctx, security::quota_kind k, double amount) {
    if (!ctx.svc.quotas) return true;
    auto b = ctx.svc.quotas->manager().burst(quota_user(ctx.conn), quota_client_id(ctx), k);
    return !b || amount <= *b;
}

int64_t throttle_time(const request_context& ctx) {
    int64_t t = ctx.throttle_ms;
    if (!ctx.svc.quotas || !ctx.clock || request_time_exempt(ctx.header.api_key)) return t;
    auto& m = ctx.svc.quotas->manager();
    if (m.none(security::quota_kind::request_percentage)) return t;
    // Kafka's unit: thread time as a percentage of one second.
    const double percent_seconds = double(ctx.clock->busy().count()) * 1e-7;
    return std::max(
        t, m.record(quota_user(ctx.conn), quota_client_id(ctx),
                    security::quota_kind::request_percentage, percent_seconds, quota_now_ms()));
}

bool client_throttles(int16_t api_key, int16_t version) {
    using k = proto::api_key;
    // The first version of each API whose clients honour throttle_time_ms
    // (Kafka's shouldClientThrottle); APIs not listed: every version.
    switch (static_cast<k>(api_key)) {
        case k::produce:
            return version >= 6;
        case k::fetch:
            return version >= 8;
        case k::metadata:
            return version >= 6;
        case k::list_offsets:
        case k::create_topics:
        case k::join_group:
            return version >= 3;
        case k::offset_fetch:
        case k::offset_commit:
            return version >= 4;
        case k::find_coordinator:
        case k::heartbeat:
        case k::leave_group:
        case k::sync_group:
        case k::describe_groups:
        case k::list_groups:
        case k::api_versions:
        case k::delete_topics:
        case k::describe_configs:
        case k::offset_for_leader_epoch:
            return version >= 2;
        case k::delete_records:
        case k::init_producer_id:
        case k::add_partitions_to_txn:
        case k::add_offsets_to_txn:
        case k::end_txn:
        case k::txn_offset_commit:
        case k::describe_acls:
        case k::create_acls:
        case k::delete_acls:
        case k::alter_configs:
        case k::describe_log_dirs:
        case k::create_partitions:
        case k::delete_groups:
        case k::sasl_authenticate:
            return version >= 1;
        default:
            return true;
    }
}

bool admit_mutations(request_context& ctx, bool strict, double mutations) {
    if (!ctx.svc.quotas) return true;
    auto& m = ctx.svc.quotas->manager();
    constexpr auto k = security::quota_kind::controller_mutation_rate;
    if (m.none(k)) return true;
    if (strict) {
        int64_t wait = m.throttle_ms(quota_user(ctx.conn), quota_client_id(ctx), k, quota_now_ms());
        if (wait > 0) {
            ctx.throttle_ms = std::max(ctx.throttle_ms, wait);
            return false;
        }
    }
    record_quota(ctx, k, mutations);
    return true;
}

void set_throttle(const request_context& ctx, handler_outcome& o, int64_t throttle_ms) {
    o.throttle_ms = throttle_ms;
    o.delay_response = throttle_ms > 0 && !client_throttles(ctx.header.api_key, ctx.version());
}

boost::asio::awaitable<error_code> await_txn_state_durable(request_context& ctx) {
    auto l = ctx.svc.transaction_log();
    if (!l) co_return error_code::none;
    auto s = co_await await_durable(ctx, l, l->log_end_offset());
    co_return s.ok() ? error_code::none : error_code::coordinator_not_available;
}

// await_durable's wait, at namespace scope: a coroutine frame holding a
// local type trips -Wsubobject-linkage when the file is compiled in a unity
// batch.
struct durable_wait_state {
    explicit durable_wait_state(asio::any_io_executor ex)
        : timer(ex, asio::steady_timer::time_point::max()) {}
    asio::steady_timer timer;
    bool done = false;
    status result;
};

boost::asio::awaitable<status> await_durable(request_context& ctx, std::shared_ptr<storage::log> l,
                                             model::offset o) {
    // Only this frame owns the state (and its timer): the log's callback may
    // run, and be destroyed, on a storage thread after the I/O context is
    // gone, so it holds a weak reference and touches the state on the strand.
    auto st = std::make_shared<durable_wait_state>(ctx.executor);
    auto ex = ctx.executor;
    std::weak_ptr<durable_wait_state> weak = st;
    l->when_durable(o, [weak, ex](status s) {
        asio::post(ex, [weak, s = std::move(s)] {
            auto st = weak.lock();
            if (!st) return;
            st->done = true;
            st->result = s;
            st->timer.cancel();
        });
    });
    while (!st->done) {
        boost::system::error_code ec;
        co_await st->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return st->result;
}

bool valid_topic_name(const std::string& name) {
    return storage::validate_topic_name(name).ok();
}

int32_t authorized_operations(const request_context& ctx, proto::resource_type r,
                              std::string_view name) {
    return ctx.svc.access.authorized_operations(ctx.conn, r, name);
}

bool authorize(request_context& ctx, proto::acl_operation op, proto::resource_type r,
               std::string_view name) {
    // The allowed path (every check of an unsecured broker) looks nothing up.
    if (ctx.svc.access.allowed(ctx.conn, op, r, name)) return true;
    const auto* api = proto::find_api(static_cast<int16_t>(ctx.header.api_key));
    return ctx.svc.access.authorize(ctx.conn, op, r, name, api ? api->name : "");
}

bool may(const request_context& ctx, proto::acl_operation op, proto::resource_type r,
         std::string_view name) {
    return ctx.svc.access.allowed(ctx.conn, op, r, name);
}

bool authorize_cluster(request_context& ctx, proto::acl_operation op) {
    return authorize(ctx, op, proto::resource_type::cluster, security::k_cluster_name);
}

error_code config_resource_denied(request_context& ctx, int8_t resource_type,
                                  const std::string& name, proto::acl_operation op) {
    if (resource_type == k_topic_resource)
        return authorize_topic(ctx, op, name) ? error_code::none
                                              : error_code::topic_authorization_failed;
    if (resource_type == k_broker_resource)
        return authorize_cluster(ctx, op) ? error_code::none
                                          : error_code::cluster_authorization_failed;
    return error_code::none;
}

std::shared_ptr<storage::log> partition_log(handler_deps& b, const std::string& topic,
                                            int32_t partition, int32_t current_leader_epoch,
                                            error_code& error) {
    auto log = b.topics.get(topic, partition);
    if (!log) {
        error = error_code::unknown_topic_or_partition;
        return nullptr;
    }
    if (current_leader_epoch > 0) {
        error = error_code::unknown_leader_epoch;
        return nullptr;
    }
    return log;
}

alter_outcome alter_broker_configs(
    handler_deps& b, const std::string& name, bool validate_only,
    const std::function<std::optional<std::string>(storage::config_map&)>& edit) {
    dynamic_scope scope = dynamic_scope::cluster_default;
    if (!name.empty()) {
        if (name != std::to_string(b.cluster.node_id()))
            return {error_code::invalid_request, "unknown broker '" + name + "'"};
        scope = dynamic_scope::this_broker;
    }
    auto settings = b.dynamic_configs.get(scope);
    if (auto bad = edit(settings)) return {error_code::invalid_config, std::move(*bad)};
    if (auto refused = b.dynamic_configs.replace(scope, settings, validate_only))
        return {refused->error, std::move(refused->message)};
    return {};
}

alter_outcome alter_topic_configs(
    handler_deps& b, int8_t resource_type, const std::string& topic, bool validate_only,
    const std::function<std::optional<std::string>(storage::config_map&)>& edit) {
    if (resource_type != k_topic_resource)
        return {error_code::invalid_request, "only topic configs can be altered"};
    auto info = b.topics.describe(topic);
    if (!info) return {error_code::unknown_topic_or_partition, "unknown topic"};
    if (b.topics.is_internal(topic))
        return {error_code::policy_violation,
                "the configs of internal topic " + topic + " are managed by the broker"};
    storage::config_map overrides = info->overrides;
    if (auto bad = edit(overrides)) return {error_code::invalid_config, std::move(*bad)};
    for (const auto& [k, v] : overrides) {
        auto s = storage::validate_topic_config(k, v);
        if (!s.ok()) return {error_code::invalid_config, s.err().message};
    }
    if (validate_only) return {};
    auto s = b.topics.set_topic_config(topic, overrides);
    if (!s.ok())
        return {s.err().code == errc::invalid_argument ? error_code::invalid_config
                                                       : to_error_code(s.err()),
                s.err().message};
    return {};
}

}  // namespace spate::broker::handlers
