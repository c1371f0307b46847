// FindCoordinator (key 10), v0-v4: this node coordinates every group (key
// type 0) and every transactional id (key type 1); other key types get
// INVALID_REQUEST. v4 batches keys.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/find_coordinator_request.h"
#include "kafka/protocol/generated/find_coordinator_response.h"

namespace spate::broker::handlers {

namespace find_coordinator_impl {
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
    // ACLs: DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED) or the
    // transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
    auto denied = [&](const std::string& key) -> int16_t {
        if (err) return 0;
        if (req->key_type == 0)
            return authorize_group(ctx, proto::acl_operation::describe, key)
                       ? 0
                       : code(error_code::group_authorization_failed);
        return authorize_txn(ctx, proto::acl_operation::describe, key)
                   ? 0
                   : code(error_code::transactional_id_authorization_failed);
    };
    if (ctx.version() >= 4) {
        for (const auto& k : req->coordinator_keys) {
            if (int16_t d = denied(k))
                r.coordinators.push_back({k, -1, std::string(), -1, d, std::nullopt});
            else
                r.coordinators.push_back({k, node, host, port, err, msg});
        }
    } else if (int16_t d = denied(req->key)) {
        r.error_code = d;
        r.error_message = std::nullopt;
        r.node_id = -1;
        r.host = std::string();
        r.port = -1;
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
}  // namespace find_coordinator_impl

const handler_spec find_coordinator{proto::api_key::find_coordinator,
                                    0,
                                    4,
                                    &find_coordinator_impl::handle,
                                    proto::acl_operation::describe,
                                    proto::resource_type::group};

}  // namespace spate::broker::handlers
