// CreateTopics (key 19), v0-v7. num_partitions -1 → num.partitions;
// replication factor -1 or 1 (this is one node; others →
// INVALID_REPLICATION_FACTOR); manual assignments must name only this node
// (INVALID_REPLICA_ASSIGNMENT). Configs are validated (INVALID_CONFIG).
// validate_only checks without creating. Duplicate names in one request get
// INVALID_REQUEST. v5+ responses carry partitions, replication factor and
// the resulting configs; v7+ the topic id.

#include <map>
#include <optional>

#include "broker/handlers/handler_util.h"
#include "broker/topic_configs.h"
#include "kafka/protocol/generated/create_topics_request.h"
#include "kafka/protocol/generated/create_topics_response.h"

namespace spate::broker::handlers {

namespace create_topics_impl {
namespace {

using resp = proto::create_topics_response;

void fail(resp::creatable_topic_result& out, error_code ec, std::string message) {
    out.error_code = code(ec);
    out.error_message = std::move(message);
}

using creatable = proto::create_topics_request::creatable_topic;

// Name checks: unique in the request, valid, new, not internal.
bool name_ok(handler_deps& b, const creatable& t, int times_named,
             resp::creatable_topic_result& out) {
    if (times_named > 1) {
        fail(out, error_code::invalid_request, "topic named more than once in the request");
        return false;
    }
    if (!valid_topic_name(t.name)) {
        fail(out, error_code::invalid_topic_exception,
             storage::validate_topic_name(t.name).err().message);
        return false;
    }
    if (b.topics.describe(t.name)) {
        fail(out, error_code::topic_already_exists, "topic '" + t.name + "' already exists");
        return false;
    }
    if (b.topics.is_internal(t.name)) {
        fail(out, error_code::invalid_request,
             "'" + t.name + "' is an internal topic, created by the broker on first use");
        return false;
    }
    return true;
}

// The partition count from manual assignments (each on this node) or
// num_partitions (-1: num.partitions); nullopt with `out` failed otherwise.
std::optional<int32_t> partition_count(const creatable& t, const broker_config& config,
                                       resp::creatable_topic_result& out) {
    const int32_t node = config.node_id;
    if (!t.assignments.empty()) {
        if (t.num_partitions != -1 || t.replication_factor != -1) {
            fail(out, error_code::invalid_request,
                 "assignments require num_partitions and replication_factor -1");
            return std::nullopt;
        }
        for (size_t i = 0; i < t.assignments.size(); ++i) {
            const auto& a = t.assignments[i];
            if (a.partition_index != static_cast<int32_t>(i) ||
                a.broker_ids != std::vector<int32_t>{node}) {
                fail(out, error_code::invalid_replica_assignment,
                     "partitions must be 0..n-1, each assigned to node " + std::to_string(node));
                return std::nullopt;
            }
        }
        return static_cast<int32_t>(t.assignments.size());
    }
    int32_t partitions = t.num_partitions == -1 ? config.num_partitions : t.num_partitions;
    if (partitions <= 0) {
        fail(out, error_code::invalid_partitions, "number of partitions must be positive");
        return std::nullopt;
    }
    if (t.replication_factor != -1 && t.replication_factor != 1) {
        fail(out, error_code::invalid_replication_factor,
             "replication factor must be 1 on a single node");
        return std::nullopt;
    }
    return partitions;
}

// The topic's config overrides, each valid and resolvable over the broker
// defaults; nullopt with INVALID_CONFIG in `out` otherwise.
std::optional<storage::config_map> overrides_of(const creatable& t,
                                                const storage::config_map& defaults,
                                                resp::creatable_topic_result& out) {
    storage::config_map overrides;
    for (const auto& c : t.configs) {
        if (!c.value) continue;  // null: use the default
        auto s = storage::validate_topic_config(c.name, *c.value);
        if (!s.ok()) {
            fail(out, error_code::invalid_config, s.err().message);
            return std::nullopt;
        }
        overrides[c.name] = *c.value;
    }
    auto resolved = storage::topic_config::resolve(defaults, overrides);
    if (!resolved.ok()) {
        fail(out, error_code::invalid_config, resolved.err().message);
        return std::nullopt;
    }
    return overrides;
}

void create_one(request_context& ctx, const creatable& t, int times_named, bool validate_only,
                resp::creatable_topic_result& out) {
    handler_deps& b = ctx.svc;
    if (!name_ok(b, t, times_named, out)) return;
    auto partitions = partition_count(t, b.cluster.config(), out);
    if (!partitions) return;
    auto overrides = overrides_of(t, b.topics.broker_defaults(), out);
    if (!overrides) return;
    if (!validate_only && !admit_mutations(ctx, ctx.version() >= 6, *partitions)) {
        out.error_code = k_throttling_quota_exceeded;
        out.error_message = k_throttling_quota_message;
        return;
    }
    if (!validate_only) {
        auto created = b.topics.create_topic(t.name, *partitions, *overrides);
        if (!created.ok()) {
            auto ec =
                created.err().code == errc::already_exists
                    ? error_code::topic_already_exists
                    : (created.err().code == errc::invalid_argument ? error_code::invalid_request
                                                                    : to_error_code(created.err()));
            fail(out, ec, created.err().message);
            return;
        }
        out.topic_id = to_uuid(created->id);
    }
    out.num_partitions = *partitions;
    out.replication_factor = 1;
    std::vector<resp::creatable_topic_configs> configs;
    for (const auto& c : describe_topic_configs(b.topics.broker_defaults(), *overrides))
        configs.push_back({c.name, c.value, false, static_cast<int8_t>(c.source), false});
    out.configs = std::move(configs);
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::create_topics_request>(ctx);
    if (!req.ok()) co_return close_connection();
    std::map<std::string, int> seen;
    for (const auto& t : req->topics)
        ++seen[t.name];
    resp r;
    const bool create_on_cluster = may(ctx, proto::acl_operation::create,
                                       proto::resource_type::cluster, security::k_cluster_name);
    for (const auto& t : req->topics) {
        auto& out = r.topics.emplace_back();
        out.name = t.name;
        out.error_message = std::nullopt;
        out.configs = std::nullopt;
        // ACLs: CREATE on the cluster or the topic; the configs in the
        // answer only with DESCRIBE_CONFIGS on the topic.
        if (!create_on_cluster && !authorize_topic(ctx, proto::acl_operation::create, t.name)) {
            fail(out, error_code::topic_authorization_failed, "Authorization failed.");
            continue;
        }
        create_one(ctx, t, seen[t.name], req->validate_only, out);
        if (out.configs && !may(ctx, proto::acl_operation::describe_configs,
                                proto::resource_type::topic, t.name)) {
            out.configs = std::nullopt;
            out.topic_config_error_code = code(error_code::topic_authorization_failed);
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace create_topics_impl

const handler_spec create_topics{
    proto::api_key::create_topics, 0, 7, &create_topics_impl::handle, proto::acl_operation::create,
    proto::resource_type::topic};

}  // namespace spate::broker::handlers
