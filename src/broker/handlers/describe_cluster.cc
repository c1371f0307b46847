// DescribeCluster (key 60), v0-v1: this node as the only broker and the
// controller. v1 endpoint type 1 (brokers) only; other types get
// UNSUPPORTED_ENDPOINT_TYPE. The cluster's authorized operations when asked
// for (include_cluster_authorized_operations).

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/describe_cluster_request.h"
#include "kafka/protocol/generated/describe_cluster_response.h"

namespace spate::broker::handlers {

namespace describe_cluster_impl {
namespace {

constexpr int16_t k_unsupported_endpoint_type = 119;

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::describe_cluster_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    proto::describe_cluster_response r;
    r.endpoint_type = req->endpoint_type;
    if (!authorize_cluster(ctx, proto::acl_operation::describe)) {
        r.error_code = code(error_code::cluster_authorization_failed);
        co_return respond(ctx, r);
    }
    if (ctx.version() >= 1 && req->endpoint_type != 1) {
        r.error_code = k_unsupported_endpoint_type;
        co_return respond(ctx, r);
    }
    r.cluster_id = b.cluster.cluster_id();
    r.controller_id = b.cluster.config().node_id;
    auto [host, port] = b.cluster.advertised_for(ctx.conn.listener);
    r.brokers.push_back({b.cluster.config().node_id, host, port, {}});
    if (req->include_cluster_authorized_operations)
        r.cluster_authorized_operations =
            authorized_operations(ctx, proto::resource_type::cluster, "kafka-cluster");
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace describe_cluster_impl

const handler_spec describe_cluster{proto::api_key::describe_cluster,
                                    0,
                                    1,
                                    &describe_cluster_impl::handle,
                                    proto::acl_operation::describe,
                                    proto::resource_type::cluster};

}  // namespace spate::broker::handlers
