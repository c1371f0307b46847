// SyncGroup (key 14), v0-v5: the leader hands in the assignment, every
// member gets its own; members other than the leader wait for it.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/sync_group_request.h"
#include "kafka/protocol/generated/sync_group_response.h"

namespace spate::broker::handlers {

namespace sync_group_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::sync_group_request>(ctx);
    if (!req.ok()) co_return close_connection();
    if (!authorize_group(ctx, proto::acl_operation::read, req->group_id)) {
        proto::sync_group_response denied;
        denied.error_code = code(error_code::group_authorization_failed);
        co_return respond(ctx, denied);
    }
    coordinator::sync_request s;
    s.group_id = req->group_id;
    s.generation = req->generation_id;
    s.member_id = req->member_id;
    s.instance_id = req->group_instance_id;
    for (auto& a : req->assignments)
        s.assignments.emplace_back(a.member_id, a.assignment);
    auto res = co_await await_coordinator<coordinator::sync_result>(
        ctx, ctx.svc.groups, &coordinator::group_coordinator::sync_group, std::move(s));
    proto::sync_group_response r;
    r.error_code = code(res.error);
    if (res.error == error_code::none) {
        r.protocol_type = res.protocol_type;
        r.protocol_name = res.protocol_name;
        r.assignment = std::move(res.assignment);
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace sync_group_impl

const handler_spec sync_group{
    proto::api_key::sync_group, 0, 5, &sync_group_impl::handle, proto::acl_operation::read,
    proto::resource_type::group};

}  // namespace spate::broker::handlers
