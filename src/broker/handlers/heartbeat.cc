// Heartbeat (key 12), v0-v4: keeps a member's session alive; tells members
// of a rebalancing group to rejoin (REBALANCE_IN_PROGRESS).

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/heartbeat_request.h"
#include "kafka/protocol/generated/heartbeat_response.h"

namespace spate::broker::handlers {

namespace heartbeat_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::heartbeat_request>(ctx);
    if (!req.ok()) co_return close_connection();
    if (!authorize_group(ctx, proto::acl_operation::read, req->group_id)) {
        proto::heartbeat_response denied;
        denied.error_code = code(error_code::group_authorization_failed);
        co_return respond(ctx, denied);
    }
    proto::heartbeat_response r;
    r.error_code = code(ctx.svc.groups.heartbeat(req->group_id, req->member_id,
                                                 req->group_instance_id, req->generation_id));
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace heartbeat_impl

const handler_spec heartbeat{
    proto::api_key::heartbeat,  0, 4, &heartbeat_impl::handle, proto::acl_operation::read,
    proto::resource_type::group};

}  // namespace spate::broker::handlers
