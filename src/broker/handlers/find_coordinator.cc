// FindCoordinator (key 10), v0-v4: this node coordinates every group (key
// type 0) and every transactional id (key type 1); other key types get
// INVALID_REQUEST. v4 batches keys.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/find_coordinator_request.h"
#include "kafka/protocol/generated/find_coordinator_response.h"

namespace spate::broker::handlers {

namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::find_coordinator_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    int16_t err = req->key_type == 0 || req->key_type == 1 ? code(error_code::none)
                                                           : code(error_code::invalid_request);
    proto::find_coordinator_response r;
    auto node = err ? -1 : b.cluster.config().node_id;
    auto advertised = b.cluster.advertised_for(ctx.conn.listener);
    auto host = err ? std::string() : advertised.first;
    int32_t port = err ? -1 : advertised.second;
    std::optional<std::string> msg;
    if (err) msg = "unknown coordinator key type " + std::to_string(req->key_type);
    if (ctx.version() >= 4) {
        for (const auto& k : req->coordinator_keys)
            r.coordinators.push_back({k, node, host, port, err, msg});
    } else {
        r.error_code = err;
        r.error_message = msg;
        r.node_id = node;
        r.host = host;
        r.port = port;
    }
    co_return respond(ctx, r);
}

}  // namespace

const handler_spec find_coordinator{
    proto::api_key::find_coordinator, 0, 4, &handle, proto::acl_operation::describe,
    proto::resource_type::group};

}  // namespace spate::broker::handlers
