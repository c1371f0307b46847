// JoinGroup (key 11), v0-v9: classic group membership. The answer waits for
// the rebalance to complete (group_coordinator::join_group); v4+ new members
// first get MEMBER_ID_REQUIRED with their id (KIP-394). v0 has no rebalance
// timeout (the session timeout is used).

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/join_group_request.h"
#include "kafka/protocol/generated/join_group_response.h"

namespace spate::broker::handlers {

namespace join_group_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::join_group_request>(ctx);
    if (!req.ok()) co_return close_connection();
    if (!authorize_group(ctx, proto::acl_operation::read, req->group_id)) {
        proto::join_group_response denied;
        denied.error_code = code(error_code::group_authorization_failed);
        co_return respond(ctx, denied);
    }
    coordinator::join_request j;
    j.group_id = req->group_id;
    j.member_id = req->member_id;
    j.instance_id = req->group_instance_id;
    j.client_id = ctx.header.client_id.value_or("");
    j.client_host = ctx.client_host;
    j.protocol_type = req->protocol_type;
    for (auto& p : req->protocols)
        j.protocols.push_back({p.name, p.metadata});
    j.session_timeout_ms = req->session_timeout_ms;
    j.rebalance_timeout_ms =
        ctx.version() >= 1 ? req->rebalance_timeout_ms : req->session_timeout_ms;
    j.require_known_member_id = ctx.version() >= 4;
    auto res = co_await await_coordinator<coordinator::join_result>(
        ctx, ctx.svc.groups, &coordinator::group_coordinator::join_group, std::move(j));
    proto::join_group_response r;
    r.error_code = code(res.error);
    r.generation_id = res.generation;
    if (res.error == error_code::none) {
        r.protocol_type = res.protocol_type;
        r.protocol_name = res.protocol_name;
    }
    r.leader = res.leader;
    r.member_id = res.member_id;
    r.skip_assignment = res.skip_assignment;
    for (auto& m : res.members)
        r.members.push_back({m.member_id, m.instance_id, m.metadata});
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace join_group_impl

const handler_spec join_group{
    proto::api_key::join_group, 0, 9, &join_group_impl::handle, proto::acl_operation::read,
    proto::resource_type::group};

}  // namespace spate::broker::handlers
