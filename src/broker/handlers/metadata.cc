// Metadata (key 3), v0-v12. One broker (this node) which is the controller and
// the leader of every partition, with replicas = isr = [this node] and leader
// epoch 0. Topics requested by name that do not exist are created when the
// request allows it and auto.create.topics.enable is set; v10+ topics
// requested by id only are looked up by id (UNKNOWN_TOPIC_ID otherwise).
// v8+ authorized-operations bit sets when asked for: each topic's
// (include_topic_authorized_operations) and v8-v10 the cluster's
// (include_cluster_authorized_operations).

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"
#include "security/acl.h"

namespace spate::broker::handlers {

namespace metadata_impl {
namespace {

using resp = proto::metadata_response;

resp::metadata_response_topic describe_topic(handler_deps& b, const storage::topic_info& t) {
    resp::metadata_response_topic out;
    out.name = t.name;
    out.topic_id = to_uuid(t.id);
    out.is_internal = b.topics.is_internal(t.name);
    const int32_t node = b.cluster.config().node_id;
    for (int32_t p = 0; p < t.partitions; ++p) {
        resp::metadata_response_partition part;
        part.partition_index = p;
        part.leader_id = node;
        part.leader_epoch = 0;
        part.replica_nodes = {node};
        part.isr_nodes = {node};
        out.partitions.push_back(std::move(part));
    }
    return out;
}

// May the principal create `topic` (CREATE on the cluster or the topic)?
bool may_create(request_context& ctx, const std::string& topic) {
    return may(ctx, proto::acl_operation::create, proto::resource_type::cluster,
               security::k_cluster_name) ||
           authorize_topic(ctx, proto::acl_operation::create, topic);
}

// One topic requested by name: TOPIC_AUTHORIZATION_FAILED without DESCRIBE
// on it, or when it would be auto-created without CREATE.
resp::metadata_response_topic named_topic(request_context& ctx, const std::string& name,
                                          bool allow_create) {
    handler_deps& b = ctx.svc;
    resp::metadata_response_topic miss;
    miss.name = name;
    if (!valid_topic_name(name)) {
        miss.error_code = code(error_code::invalid_topic_exception);
        return miss;
    }
    if (!authorize_topic(ctx, proto::acl_operation::describe, name)) {
        miss.error_code = code(error_code::topic_authorization_failed);
        return miss;
    }
    if (auto t = b.topics.describe(name)) return describe_topic(b, *t);
    if (allow_create && b.cluster.config().auto_create_topics && !b.topics.is_internal(name) &&
        !may_create(ctx, name)) {
        miss.error_code = code(error_code::topic_authorization_failed);
        return miss;
    }
    auto t = b.topics.find_or_create(name, allow_create);
    if (t.ok() && *t) return describe_topic(b, **t);
    miss.error_code =
        code(t.ok() ? error_code::unknown_topic_or_partition : error_code::invalid_topic_exception);
    return miss;
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::metadata_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    resp r;
    auto [host, port] = b.cluster.advertised_for(ctx.conn.listener);
    r.brokers.push_back({b.cluster.config().node_id, host, port, {}});
    r.cluster_id = b.cluster.cluster_id();
    r.controller_id = b.cluster.config().node_id;
    // v0: an empty list means all topics; v1+: null means all topics.
    const bool all = !req->topics || (ctx.version() == 0 && req->topics->empty());
    if (all) {
        // Only the topics the principal may describe, without an error.
        for (const auto& t : b.topics.list_topics())
            if (may(ctx, proto::acl_operation::describe, proto::resource_type::topic, t.name))
                r.topics.push_back(describe_topic(b, t));
    } else {
        // v0-v3 always allowed auto-creation.
        const bool allow = ctx.version() < 4 || req->allow_auto_topic_creation;
        for (const auto& want : *req->topics) {
            if (want.name) {
                r.topics.push_back(named_topic(ctx, *want.name, allow));
                continue;
            }
            auto t = b.topics.find_by_id(want.topic_id);
            if (t && authorize_topic(ctx, proto::acl_operation::describe, t->name)) {
                r.topics.push_back(describe_topic(b, *t));
                continue;
            }
            resp::metadata_response_topic miss;
            miss.error_code =
                code(t ? error_code::topic_authorization_failed : error_code::unknown_topic_id);
            miss.name = std::nullopt;
            miss.topic_id = want.topic_id;
            r.topics.push_back(std::move(miss));
        }
    }
    if (ctx.version() >= 8 && req->include_topic_authorized_operations) {
        for (auto& t : r.topics)
            if (t.name)
                t.topic_authorized_operations =
                    authorized_operations(ctx, proto::resource_type::topic, *t.name);
    }
    if (ctx.version() >= 8 && ctx.version() <= 10 && req->include_cluster_authorized_operations)
        r.cluster_authorized_operations =
            authorized_operations(ctx, proto::resource_type::cluster, "kafka-cluster");
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace metadata_impl

const handler_spec metadata{
    proto::api_key::metadata,   0, 12, &metadata_impl::handle, proto::acl_operation::describe,
    proto::resource_type::topic};

}  // namespace spate::broker::handlers
